import CallControl
import Foundation
import IVREngine
import NodeTestSupport
import Testing

/// An IVR flow's HTTP node against a real HTTP server: the response, a timeout, a refused connection.
@Suite("IVR HTTP node over real sockets")
struct IVRHTTPFetcherTests {
    @Test("headers and body go out; a JSON answer comes back; slow and unreachable endpoints become timeout and failure")
    func requests() async throws {
        let fetcher = IVRHTTPFetcher()
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
}
