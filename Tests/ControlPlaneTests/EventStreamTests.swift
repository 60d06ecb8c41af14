import Foundation
import HTTPTypes
import HummingbirdWSClient
import HummingbirdWSTesting
import Testing

extension WebSocketClientConfiguration {
    /// A client that sends `token` as a bearer credential (how non-browser clients authenticate).
    static func bearer(_ token: String) -> Self {
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        return configuration
    }

    /// A browser-style client: the token travels as the subprotocol `cc.token.<token>` next to `cc.v1`.
    static func subprotocol(_ token: String) -> Self {
        var configuration = WebSocketClientConfiguration()
        configuration.additionalHeaders[.secWebSocketProtocol] = "cc.v1, cc.token.\(token)"
        return configuration
    }
}

/// The tenant event stream on the open internet: no tokens in URLs, credentials checked while the
/// stream is open, a bounded number of streams per tenant.
@Suite("event stream security")
struct EventStreamTests {
    /// Reads the ready frame, then waits for the server to close; returns the close code (or nil).
    static func readyThenClosed(_ h: ControlPlaneHarness, configuration: WebSocketClientConfiguration,
                                whileOpen: @escaping @Sendable () async throws -> Void) async throws -> String {
        let close = try await h.client.ws("/v1/events", configuration: configuration) { inbound, _, _ in
            var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            guard case .text(let ready)? = try await frames.next() else { Issue.record("no ready frame"); return }
            #expect(ready.contains("stream.ready"))
            try await whileOpen()
            while try await frames.next() != nil {}  // until the server closes
        }
        return close.map { "\($0.closeCode)" } ?? "none"
    }

    @Test("a token in the URL is refused (it would end up in logs); the header and the subprotocol work")
    func noTokensInURLs() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let inURL = try? await h.client.ws("/v1/events?token=\(key)") { _, _, _ in Issue.record("upgraded with a token in the URL") }
            #expect(inURL == nil)
            for configuration in [WebSocketClientConfiguration.bearer(key), .subprotocol(key)] {
                try await h.client.ws("/v1/events", configuration: configuration) { inbound, outbound, _ in
                    var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    guard case .text(let ready)? = try await frames.next() else { Issue.record("no ready frame"); return }
                    #expect(ready.contains("stream.ready"))
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }

    @Test("logout and key revocation end open streams (1008); they used to stay open for good")
    func revokedCredentialsEndStreams() async throws {
        try await ControlPlaneHarness.run(configure: { $0.eventStreamRecheck = .milliseconds(300) }) { h in
            let (_, key, email) = try await h.signup("acme")
            let session = try await h.login(tenant: "acme", email: email, password: "correct-horse-battery")
            let afterLogout = try await Self.readyThenClosed(h, configuration: WebSocketClientConfiguration.bearer(session)) {
                let status = try await h.call(.post, "/v1/auth/logout", token: session).status
                #expect(status == 204)
            }
            #expect(afterLogout.contains("policyViolation"), "\(afterLogout)")

            let created = try await h.call(.post, "/v1/api-keys", token: key, json: ["name": "desk", "scopes": ["config_read"]])
            let secret = try #require(created.string("secret"))
            let keyID = try #require(created.string("key", "id"))
            let afterRevoke = try await Self.readyThenClosed(h, configuration: WebSocketClientConfiguration.subprotocol(secret)) {
                let status = try await h.call(.delete, "/v1/api-keys/\(keyID)", token: key).status
                #expect(status == 204)
            }
            #expect(afterRevoke.contains("policyViolation"), "\(afterRevoke)")
        }
    }

    @Test("a tenant may hold a bounded number of streams; one more is refused until one closes")
    func streamsPerTenantAreCapped() async throws {
        try await ControlPlaneHarness.run(configure: { $0.maxEventStreamsPerTenant = 2 }) { h in
            let (_, key, _) = try await h.signup("acme")
            let other = try await h.signup("other")
            try await h.client.ws("/v1/events", configuration: .bearer(key)) { first, _, _ in
                var a = first.messages(maxSize: 1 << 20).makeAsyncIterator()
                _ = try await a.next()
                try await h.client.ws("/v1/events", configuration: .bearer(key)) { second, outbound, _ in
                    var b = second.messages(maxSize: 1 << 20).makeAsyncIterator()
                    _ = try await b.next()
                    let third = try? await h.client.ws("/v1/events", configuration: .bearer(key)) { _, _, _ in Issue.record("a third stream opened") }
                    #expect(third == nil)
                    // Another tenant is not affected.
                    try await h.client.ws("/v1/events", configuration: .bearer(other.apiKey)) { inbound, out, _ in
                        var c = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                        guard case .text(let ready)? = try await c.next() else { Issue.record("no ready frame"); return }
                        #expect(ready.contains("stream.ready"))
                        try await out.close(.normalClosure, reason: nil)
                    }
                    try await outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }
}
