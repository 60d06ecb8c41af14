import ControlPlaneAPI
import ControlPlaneCore
import Foundation

/// `GET /v1/events` when it is not upgraded: the WebSocket handshake is answered before the router
/// (`addEventStream`), so a request that gets here is either a plain GET or a handshake the stream
/// refused. The same checks run again (the credential was checked by `AuthenticationMiddleware`
/// with the stream's rules) and name the refusal; when they pass, the request lacked the upgrade.
extension APIHandler {
    func getEvents(_ input: Operations.GetEvents.Input) async throws -> Operations.GetEvents.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .tenantRead)
        try await EventStreamAdmission.checkCapacity(hub: eventHub, tenantID: tenantID, maxSubscribers: configuration.maxEventStreamsPerTenant)
        throw HTTPLayerProblem(type: .upgradeRequired, detail: "GET /v1/events is a WebSocket: open it with a WebSocket handshake "
                                    + "(Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Version: 13) and the subprotocol cc.v1.")
    }
}
