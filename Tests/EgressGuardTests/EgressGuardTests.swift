import EgressGuard
import Foundation
import NodeTestSupport
import Synchronization
import Testing

/// A resolver that answers from a table and counts how often it was asked (tests never resolve
/// names for real).
final class TableResolver: EgressResolver {
    let answers: [String: [[IPAddress]]]  // host → answer per lookup (the last one repeats)
    let lookups = Mutex(0)

    init(_ answers: [String: [[IPAddress]]]) { self.answers = answers }

    func addresses(of host: String) async throws -> [IPAddress] {
        let n = lookups.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        guard let list = answers[host], !list.isEmpty else { throw EgressRefusal("no such host in the test table") }
        return list[min(n, list.count - 1)]
    }
}

@Suite("egress guard (SSRF)")
struct EgressGuardTests {
    struct Case: CustomStringConvertible {
        let url: String
        let resolver: String
        let expect: String
        let why: String
        var description: String { "\(url) (\(why))" }
    }

    /// ../shared/testdata/vectors/ssrf-webhook-url-cases.tsv
    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata/vectors/ssrf-webhook-url-cases.tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("url\t") }.compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return f.count >= 4 ? Case(url: f[0], resolver: f[1], expect: f[2], why: f[3]) : nil
        }
    }()

    /// The resolver column: `-`, `a`, `a,b` (one answer with both), `a then b` (two lookups).
    static func resolver(for c: Case) -> TableResolver {
        guard c.resolver != "-", let host = URLComponents(string: c.url)?.host?.lowercased() else { return TableResolver([:]) }
        let answers = c.resolver.components(separatedBy: " then ").map { answer in
            answer.split(separator: " ").first.map { $0.split(separator: ",").compactMap { IPAddress(literal: String($0)) } } ?? []
        }
        return TableResolver([host: answers])
    }

    @Test("every case of the shared SSRF table is refused or allowed as it says")
    func sharedCases() async throws {
        #expect(Self.cases.count >= 30, "the shared table was not found")
        for c in Self.cases {
            let guardian = EgressGuard(resolver: Self.resolver(for: c))
            let outcome: Result<VettedDestination, any Error>
            do { outcome = .success(try await guardian.vet(c.url)) } catch { outcome = .failure(error) }
            switch c.expect {
            case "reject":
                if case .success(let d) = outcome { Issue.record("\(c) was allowed to \(d.address)") }
            case "allow", "reject-at-delivery", "fail-no-follow":
                // Rebinding is refused by pinning (below); a redirect by not following it (below).
                guard case .success(let d) = outcome else { Issue.record("\(c) was refused: \(outcome)"); continue }
                #expect(d.address == IPAddress(literal: "203.0.113.10"), "\(c)")
            default:
                Issue.record("unknown expectation \(c.expect)")
            }
        }
    }

    @Test("refusals say what is wrong")
    func reasons() async throws {
        let guardian = EgressGuard(resolver: TableResolver(["metadata.internal": [[IPAddress(literal: "169.254.169.254")!]]]))
        await #expect(throws: EgressRefusal("metadata.internal is 169.254.169.254: link-local (cloud metadata) addresses are not reachable")) {
            try await guardian.vet("https://metadata.internal/latest")
        }
        await #expect(throws: EgressRefusal("scheme http is not allowed (use https)")) { try await guardian.vet("http://x.example/") }
        var own = EgressPolicy()
        own.deniedNetworks = [IPNetwork("203.0.113.7")!]
        let platform = EgressGuard(policy: own, resolver: TableResolver(["api.platform.example": [[IPAddress(literal: "203.0.113.7")!]]]))
        await #expect(throws: EgressRefusal("api.platform.example is 203.0.113.7: an address of the platform itself")) {
            try await platform.vet("https://api.platform.example/v1/tenants")
        }
    }

    /// A policy for a server on loopback: the test exempts 127.0.0.1 and allows http, nothing else.
    static var loopbackPolicy: EgressPolicy {
        var p = EgressPolicy()
        p.exemptNetworks = [IPNetwork("127.0.0.1/32")!]
        p.allowedSchemes.insert("http")
        p.allowedPorts = nil
        return p
    }

    @Test("the host is resolved once and the request goes to the vetted address (a second answer pointing inside is never used: DNS rebinding)")
    func pinsTheVettedAddress() async throws {
        let resolver = TableResolver(["crm.customer.example": [[IPAddress(literal: "127.0.0.1")!], [IPAddress(literal: "10.0.0.1")!]]])
        let guardian = EgressGuard(policy: Self.loopbackPolicy, resolver: resolver)
        try await FakeControlPlane().serve { base in
            let port = base.port ?? 0
            let response = try await guardian.execute(EgressRequest(url: "http://crm.customer.example:\(port)/crm/customers/8613800138000",
                                                                    headers: [("Authorization", "Bearer crm-token")]))
            #expect(response.status == 200)
            #expect(String(decoding: response.body, as: UTF8.self).contains("gold"))
        }
        #expect(resolver.lookups.withLock { $0 } == 1)
    }

    @Test("a redirect is the answer, never followed (here: to the cloud metadata address)")
    func redirectsAreNotFollowed() async throws {
        let guardian = EgressGuard(policy: Self.loopbackPolicy, resolver: TableResolver([:]))
        let server = FakeControlPlane()
        try await server.serve { base in
            let response = try await guardian.execute(EgressRequest(url: base.absoluteString + "/crm/redirect"))
            #expect(response.status == 302)
            #expect(response.headers["location"]?.contains("169.254.169.254") == true)
        }
        #expect(server.state.withLock { $0.redirectsServed } == 1)
    }

    @Test("responses over the size limit are refused")
    func sizeLimit() async throws {
        var policy = Self.loopbackPolicy
        policy.maxResponseBytes = 16
        let guardian = EgressGuard(policy: policy, resolver: TableResolver([:]))
        try await FakeControlPlane().serve { base in
            await #expect(throws: EgressRefusal("the response is larger than 16 bytes")) {
                try await guardian.execute(EgressRequest(url: base.absoluteString + "/crm/customers/1", headers: [("Authorization", "Bearer crm-token")]))
            }
        }
    }

    @Test("literal IPv4 forms inet_aton accepts are addresses, classified as such")
    func literalForms() {
        for text in ["127.1", "2130706433", "0x7f000001", "017700000001", "0177.0.0.1"] {
            #expect(IPAddress(literal: text) == IPAddress(literal: "127.0.0.1"), "\(text)")
        }
        #expect(IPAddress(literal: "[::ffff:7f00:1]")?.internalReason?.hasPrefix("loopback") == true)
        #expect(IPAddress(literal: "2002:a00:1::1")?.internalReason?.hasPrefix("private network") == true)
        #expect(IPAddress(literal: "203.0.113.10")?.internalReason == nil)
        #expect(IPAddress(literal: "2606:4700::1111")?.internalReason == nil)
        #expect(IPAddress(literal: "example.com") == nil)
    }
}
