import ControlPlaneCore
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging

/// `GET /v1/events` upgraded to a WebSocket: the authenticated tenant's real-time events
/// (`call.offered`, `call.answered`, `call.ended`, `agent.state_changed`, `queue.updated`) as JSON
/// text frames. Only tenant users and API keys may subscribe, and only to their own tenant.
///
/// The credential comes in the `Authorization` header, or — browsers cannot set headers on a
/// WebSocket — as the subprotocol `cc.token.<token>` next to `cc.v1` (the server answers `cc.v1`).
/// A token in the URL (`?token=`) is refused: URLs end up in proxy and server logs. The credential
/// is checked again every `recheck` while the stream is open, so a logout, a revoked key or a
/// suspended tenant ends it (close code 1008); each tenant has at most `maxSubscribers` streams.
func addEventStream(to router: Router<BasicWebSocketRequestContext>, hub: EventHub, authenticator: Authenticator,
                    recheck: Duration, maxSubscribers: Int) {
    @Sendable func authorization(of request: Request) throws -> String? {
        guard request.uri.queryParameters.get("token") == nil else {
            throw HTTPError(.badRequest, message: "Send the token in the Authorization header, or as the WebSocket subprotocol "
                                + "cc.token.<token> next to cc.v1; tokens in URLs end up in logs.")
        }
        if let header = request.headers[.authorization] { return header }
        let offered = request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return offered.first { $0.hasPrefix(tokenProtocolPrefix) }.map { "Bearer " + $0.dropFirst(tokenProtocolPrefix.count) }
    }

    @Sendable func tenant(of request: Request, logger: Logger) async throws -> UUID {
        do {
            let principal = try await authenticator.authenticate(authorization: try authorization(of: request), logger: logger)
            return try principal.tenant(for: .tenantRead)
        } catch let error as ControlPlaneError {
            let status: HTTPResponse.Status = error.code == .unauthorized ? .unauthorized : .forbidden
            throw HTTPError(status, message: error.detail)
        }
    }

    router.ws("/v1/events") { request, context in
        let tenantID = try await tenant(of: request, logger: context.logger)
        guard await hub.subscriberCount(tenantID: tenantID) < maxSubscribers else {
            throw HTTPError(.tooManyRequests, message: "Your tenant has \(maxSubscribers) event streams open, the most allowed; close one.")
        }
        let offered = request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return .upgrade(offered.contains(streamProtocol) ? [.secWebSocketProtocol: streamProtocol] : [:])
    } onUpgrade: { inbound, outbound, context in
        let tenantID = try await tenant(of: context.request, logger: context.logger)
        guard let (id, events) = await hub.subscribe(tenantID: tenantID, limit: maxSubscribers) else {
            try await outbound.close(.unexpectedServerError, reason: "too many event streams")
            return
        }
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
            group.addTask {
                // The credential must stay valid: logout, revocation and suspension end the stream.
                while true {
                    try await Task.sleep(for: recheck)
                    if (try? await tenant(of: context.request, logger: context.logger)) != tenantID {
                        try await outbound.close(.policyViolation, reason: "credential no longer valid")
                        return
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
        await hub.unsubscribe(tenantID: tenantID, id: id)
    }
}

/// The event stream's subprotocol, and the prefix of the one that carries a token.
let streamProtocol = "cc.v1"
let tokenProtocolPrefix = "cc.token."
