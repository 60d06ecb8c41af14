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
    @Sendable func tenant(of request: Request, logger: Logger) async throws -> UUID {
        try await EventStreamAdmission.tenant(
            authenticator: authenticator, tokenInQuery: request.uri.queryParameters.get("token") != nil,
            authorization: request.headers[.authorization], offeredProtocols: request.headers[values: .secWebSocketProtocol],
            logger: logger)
    }

    router.ws("/v1/events") { request, context in
        let tenantID = try await tenant(of: request, logger: context.logger)
        try await EventStreamAdmission.checkCapacity(hub: hub, tenantID: tenantID, maxSubscribers: maxSubscribers)
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

/// Who may open `GET /v1/events`. A refused handshake is not upgraded; the request then reaches the
/// OpenAPI route `getEvents`, which runs the same checks and answers with the problem (400, 401, 403,
/// 429), or 426 when they pass but the request was not a WebSocket handshake.
enum EventStreamAdmission {
    /// The credential as an `Authorization` value: the header, or the `cc.token.<token>` subprotocol.
    static func authorization(tokenInQuery: Bool, header: String?, offeredProtocols: [String]) throws(ControlPlaneError) -> String? {
        guard !tokenInQuery else {
            throw ControlPlaneError(.badRequest, "Send the token in the Authorization header, or as the WebSocket subprotocol "
                                        + "cc.token.<token> next to cc.v1; tokens in URLs end up in logs.")
        }
        if let header { return header }
        let offered = offeredProtocols.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        return offered.first { $0.hasPrefix(tokenProtocolPrefix) }.map { "Bearer " + $0.dropFirst(tokenProtocolPrefix.count) }
    }

    /// The tenant whose events the credential may read (tenant users and API keys only).
    static func tenant(authenticator: Authenticator, tokenInQuery: Bool, authorization header: String?, offeredProtocols: [String],
                       logger: Logger) async throws -> UUID {
        let authorization = try authorization(tokenInQuery: tokenInQuery, header: header, offeredProtocols: offeredProtocols)
        let principal = try await authenticator.authenticate(authorization: authorization, logger: logger)
        return try principal.tenant(for: .tenantRead)
    }

    static func checkCapacity(hub: EventHub, tenantID: UUID, maxSubscribers: Int) async throws(ControlPlaneError) {
        guard await hub.subscriberCount(tenantID: tenantID) < maxSubscribers else {
            throw ControlPlaneError(.tooManyRequests, "Your tenant has \(maxSubscribers) event streams open, the most allowed; close one.")
        }
    }
}

/// The event stream's subprotocol, and the prefix of the one that carries a token.
let streamProtocol = "cc.v1"
let tokenProtocolPrefix = "cc.token."
