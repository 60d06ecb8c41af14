import CallControl
import EgressGuard
import Foundation
import IVREngine
import NodeTestSupport
import Testing

/// An IVR flow's HTTP node against a real HTTP server: the response, a timeout, a refused connection.
@Suite("IVR HTTP node over real sockets")
struct IVRHTTPFetcherTests {
    @Test("headers and body go out; a JSON answer comes back; slow and unreachable endpoints become timeout and failure")
    func requests() async throws {
        // The test's server is on loopback over http: exempt exactly that (production allows https
        // to public addresses only).
        var policy = EgressPolicy()
        policy.exemptNetworks = [IPNetwork("127.0.0.1/32")!]
        policy.allowedSchemes.insert("http")
        policy.allowedPorts = nil
        let fetcher = IVRHTTPFetcher(egress: EgressGuard(policy: policy))
        try await FakeControlPlane().serve { base in
            let url = base.absoluteString
            let ok = await fetcher.perform(IVRHTTPRequest(node: "crm", method: "GET", url: url + "/crm/customers/8613800138000",
                                                          headers: ["Authorization": "Bearer crm-token"], body: nil, timeoutSeconds: 2))
            guard case .httpResponse(200, let body) = ok,
                  let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                Issue.record("unexpected \(ok)")
                return
            }
            #expect(json["tier"] as? String == "gold")
            let unauthorized = await fetcher.perform(IVRHTTPRequest(node: "crm", method: "GET", url: url + "/crm/customers/1",
                                                                    headers: [:], body: nil, timeoutSeconds: 2))
            if case .httpResponse(let status, _) = unauthorized { #expect(status == 401) } else { Issue.record("\(unauthorized)") }
            let echo = await fetcher.perform(IVRHTTPRequest(node: "e", method: "post", url: url + "/crm/echo", headers: [:],
                                                            body: #"{"account":"42"}"#, timeoutSeconds: 2))
            if case .httpResponse(200, let body) = echo { #expect(body.contains(#""account":"42""#)) } else { Issue.record("\(echo)") }
            let started = ContinuousClock.now
            let slow = await fetcher.perform(IVRHTTPRequest(node: "s", method: "GET", url: url + "/crm/slow", headers: [:], body: nil,
                                                            timeoutSeconds: 1))
            #expect(slow == .httpTimeout)
            #expect(ContinuousClock.now - started < .seconds(2), "the node's timeout bounds the wait")
        }
        let refused = await fetcher.perform(IVRHTTPRequest(node: "x", method: "GET", url: "http://127.0.0.1:\(freeTCPPort())/", headers: [:],
                                                           body: nil, timeoutSeconds: 2))
        if case .httpFailed = refused {} else { Issue.record("a refused connection is a failure, got \(refused)") }
    }

    @Test("with the node's default policy a flow cannot aim the node at loopback, the metadata address, plain http or a redirect (SSRF)")
    func defaultPolicyRefusesInternalTargets() async throws {
        let fetcher = IVRHTTPFetcher()
        let server = FakeControlPlane()
        try await server.serve { base in
            let port = base.port ?? 0
            for url in ["https://127.0.0.1:\(port)/crm/redirect", "https://169.254.169.254/latest/meta-data/", "http://example.com/",
                        "https://[::ffff:127.0.0.1]:\(port)/crm/redirect", "https://2130706433:\(port)/crm/redirect"] {
                let result = await fetcher.perform(IVRHTTPRequest(node: "n", method: "GET", url: url, headers: [:], body: nil, timeoutSeconds: 2))
                guard case .httpFailed(let reason) = result else { Issue.record("\(url) was not refused: \(result)"); continue }
                #expect(reason.hasPrefix("refused by the egress guard"), "\(url): \(reason)")
            }
        }
        // Before the guard the node followed the redirect (and reached the server at all).
        #expect(server.state.withLock { $0.redirectsServed } == 0)
    }
}
