import AsyncHTTPClient
import EgressGuard
import Foundation
import NIOCore
import Testing
@testable import ControlPlaneHTTP

/// Issue 13: behind a load balancer every request comes from the proxy, so per-address login
/// throttling needs the client the proxy names in `X-Forwarded-For` — but only from proxies the
/// operator trusts, or a client picks the address it is throttled as.
@Suite("Trusted proxies and X-Forwarded-For")
struct TrustedProxyTests {
    static let proxies = ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"].compactMap(IPNetwork.init)

    @Test("the client is the right-most address that is not a trusted proxy; garbage stops the walk; untrusted peers are believed alone", .tags(.unit))
    func resolve() {
        func client(_ peer: String?, _ header: [String], _ trusted: [IPNetwork] = Self.proxies) -> String {
            ClientAddress.resolve(peer: peer, forwardedFor: header, trusted: trusted)
        }
        #expect(client("127.0.0.1", ["203.0.113.5"], []) == "127.0.0.1", "no trusted proxies: the header is ignored")
        #expect(client("198.51.100.7", ["203.0.113.5"]) == "198.51.100.7", "a peer that is no trusted proxy is the client")
        #expect(client("127.0.0.1", ["203.0.113.5"]) == "203.0.113.5")
        #expect(client("127.0.0.1", ["203.0.113.5, 10.1.2.3"]) == "203.0.113.5", "past a chain of trusted proxies")
        #expect(client("127.0.0.1", ["1.2.3.4", "203.0.113.5"]) == "203.0.113.5", "a client-supplied left part is not believed")
        #expect(client("127.0.0.1", ["203.0.113.5, not-an-address"]) == "127.0.0.1", "garbage after the proxy: the proxy itself")
        #expect(client("127.0.0.1", ["not-an-address, 203.0.113.5"]) == "203.0.113.5")
        #expect(client("127.0.0.1", ["10.0.0.9"]) == "10.0.0.9", "only proxies: the left-most of them")
        #expect(client("127.0.0.1", ["2001:db8::1, fd00::2"]) == "2001:db8::1")
        #expect(client("127.0.0.1", []) == "127.0.0.1")
        #expect(client(nil, ["203.0.113.5"]) == "unknown")
        let long = Array(repeating: "10.0.0.1", count: 10_000).joined(separator: ",") + ",203.0.113.5"
        #expect(client("127.0.0.1", [long]) == "203.0.113.5", "a long header is read from the right, bounded")
        #expect(IPNetwork("") == nil && IPNetwork("/8") == nil && IPNetwork("10.0.0.0/33") == nil)
    }

    /// A failed login from 127.0.0.1 carrying `X-Forwarded-For: forwarded`; returns the status.
    static func login(_ h: ControlPlaneHarness, forwarded: String, email: String) async throws -> Int {
        guard let port = h.client.port else { throw HarnessError("the test server has no port") }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Forwarded-For", value: forwarded)
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: ["tenant": "acme", "email": email, "password": "Winter2026!"])))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    @Test("behind a trusted proxy, per-address throttling counts each forwarded client; without one, a forged header changes nothing", .tags(.system))
    func throttlingFollowsTheForwardedClient() async throws {
        try await ControlPlaneHarness.run(configure: { $0.trustedProxies = ["127.0.0.1/32"] }) { h in
            _ = try await h.signup("acme")
            var statuses: [Int] = []
            for i in 0..<21 { statuses.append(try await Self.login(h, forwarded: "203.0.113.5", email: "user\(i)@acme.test")) }
            #expect(statuses.prefix(20).allSatisfy { $0 == 401 } && statuses.last == 429, "\(statuses)")
            #expect(try await Self.login(h, forwarded: "203.0.113.6", email: "user0@acme.test") == 401, "another client behind the proxy is not throttled")
            #expect(try await Self.login(h, forwarded: "198.51.100.1, 203.0.113.5", email: "user0@acme.test") == 429,
                    "a client cannot escape by prepending an address")
        }
        try await ControlPlaneHarness.run { h in
            _ = try await h.signup("acme")
            for i in 0..<20 { _ = try await Self.login(h, forwarded: "203.0.113.\(i)", email: "user\(i)@acme.test") }
            #expect(try await Self.login(h, forwarded: "198.51.100.99", email: "user0@acme.test") == 429,
                    "no trusted proxy: every forged address is the same peer")
        }
    }
}
