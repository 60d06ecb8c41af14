import ControlPlaneCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/events` upgraded to a WebSocket: the authenticated tenant's real-time events
/// (`call.offered`, `call.answered`, `call.ended`, `agent.state_changed`, `queue.updated`) as JSON
/// text frames. Browsers cannot set headers on a WebSocket, so the bearer token may also be given
/// as `?token=`. Only tenant users and API keys may subscribe, and only to their own tenant.
func addEventStream(to router: Router<BasicWebSocketRequestContext>, hub: EventHub, authenticator: Authenticator) {
    @Sendable func tenant(of request: Request, logger: Logger) async throws -> UUID {
        var authorization = request.headers[.authorization]
        if authorization == nil, let token = request.uri.queryParameters.get("token") { authorization = "Bearer \(token)" }
        do {
            let principal = try await authenticator.authenticate(authorization: authorization, logger: logger)
            return try principal.tenant(for: .tenantRead)
        } catch let error as ControlPlaneError {
            let status: HTTPResponse.Status = error.code == .unauthorized ? .unauthorized : .forbidden
            throw HTTPError(status, message: error.detail)
        }
    }

    router.ws("/v1/events") { request, context in
        _ = try await tenant(of: request, logger: context.logger)
        return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
        let tenantID = try await tenant(of: context.request, logger: context.logger)
        let (id, events) = await hub.subscribe(tenantID: tenantID)
        // Tells the client its subscription is live: events published from now on will arrive.
        try await outbound.write(.text(#"{"type":"stream.ready","tenantId":"\#(tenantID.wire)"}"#))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await event in events {
                    try await outbound.write(.text(String(decoding: event, as: UTF8.self)))
                }
            }
            group.addTask {
                // Drain what the client sends (pings are answered by the library); end when it closes.
                for try await _ in inbound {}
            }
            try await group.next()
            group.cancelAll()
        }
        await hub.unsubscribe(tenantID: tenantID, id: id)
    }
}
