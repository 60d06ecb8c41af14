import Foundation
import Testing

@Suite("Operations endpoints")
struct OperationsTests {
    @Test("healthz, readyz and metrics answer without credentials; unknown routes are problems")
    func operations() async throws {
        try await ControlPlaneHarness.run { h in
            #expect(try await h.call(.get, "/healthz")["status"] as? String == "ok")
            #expect(try await h.call(.get, "/readyz")["status"] as? String == "ready")
            let metrics = try await h.call(.get, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType?.hasPrefix("text/plain") == true)
            let missing = try await h.call(.get, "/v1/nope")
            #expect(missing.status == 404)
            #expect(missing.contentType == "application/problem+json")
            #expect((missing["detail"] as? String)?.contains("/v1/nope") == true)
            let wrongType = try await h.call(.post, "/v1/signup", rawBody: "tenantName=x", contentType: "application/x-www-form-urlencoded")
            #expect(wrongType.status == 400)
            #expect(wrongType.contentType == "application/problem+json")
        }
    }
}
