import ControlPlaneCore
import Foundation
import HTTPTypes
import Testing
@testable import ControlPlaneHTTP

/// Problem `type` URIs resolve (issue 13): every problem the control plane answers with links to a
/// page of its API docs, which are served without credentials along with openapi.yaml itself.
@Suite("API docs: problem types and the spec", .tags(.system))
struct ProblemDocsTests {
    @Test("for every problem type, the type URI of a real problem response is a public HTML page naming it")
    func problemTypesResolve() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, email) = try await h.signup("acme")
            let staff = try await h.staffToken()
            _ = try await h.call(.post, "/v1/skills", token: key, json: ["name": "billing"])

            // Each request provokes one problem type, as a client would meet it.
            var provoked: [(String, ControlPlaneHarness.Reply)] = []
            func provoke(_ expected: String, _ reply: ControlPlaneHarness.Reply) { provoked.append((expected, reply)) }
            provoke("bad-request", try await h.call(.get, "/v1/skills/not-a-uuid", token: key))
            provoke("validation-failed", try await h.call(.post, "/v1/skills", token: key, json: ["description": "no name"]))
            provoke("unauthorized", try await h.call(.get, "/v1/me"))
            provoke("forbidden", try await h.call(.get, "/v1/platform/tenants", token: key))
            provoke("not-found", try await h.call(.get, "/v1/skills/\(UUID().uuidString.lowercased())", token: key))
            provoke("conflict", try await h.call(.post, "/v1/skills", token: key, json: ["name": "billing"]))
            for _ in 0..<h.configuration.maxLoginFailures {
                _ = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "wrong-password-0"])
            }
            provoke("too-many-requests", try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "wrong-password-0"]))
            provoke("http-404", try await h.call(.get, "/v1/no-such-route", token: key))
            provoke("http-413", try await h.call(.post, "/v1/auth/login", rawBody: String(repeating: "x", count: 20_000)))
            provoke("upgrade-required", try await h.call(.get, "/v1/events", token: key))
            provoke("http-404", try await h.call(.delete, "/v1/me", token: key))  // a known path, another method
            // The tenant's one API key (from sign-up) is all its quota allows.
            _ = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/limits", token: staff,
                                 json: ["maxConcurrentCalls": 100, "maxRegistrations": 500, "maxApiKeys": 1])
            provoke("quota-exceeded", try await h.call(.post, "/v1/api-keys", token: key, json: ["name": "one-too-many", "scopes": ["config_read"]]))
            _ = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/status", token: staff, json: ["status": "suspended"])
            provoke("tenant-not-active", try await h.call(.get, "/v1/tenant", token: key))

            var seen: Set<String> = []
            for (expected, reply) in provoked {
                #expect(reply.contentType == "application/problem+json", "\(expected): \(reply.status) \(reply.contentType ?? "-")")
                let type = try #require(reply.string("type"), "\(expected): no type in \(String(decoding: reply.body, as: UTF8.self))")
                #expect(type == "/docs/problems/\(expected)", "\(expected): got \(type)")
                #expect(reply["status"] as? Int == reply.status)
                let catalogued = try #require(ProblemType.named(expected))
                #expect(reply.status == Int(catalogued.status.code), "\(expected) answered \(reply.status)")
                seen.insert(expected)
            }
            // The rest cannot be provoked from outside in a test (a lost database, a crash, a stalled
            // body, which RequestLimitsTests covers): their URIs are made the same way.
            var uris = provoked.compactMap { $0.1.string("type") }
            for type in ProblemType.all where !seen.contains(type.code) { uris.append(type.uri) }
            #expect(Set(uris.map { $0.split(separator: "/").last.map(String.init) ?? "" }) == Set(ProblemType.all.map(\.code)))

            for uri in uris {
                let page = try await h.call(.get, uri)  // no credential: the docs are public
                #expect(page.status == 200, "\(uri): \(page.status)")
                #expect(page.contentType?.hasPrefix("text/html") == true, "\(uri): \(page.contentType ?? "-")")
                let html = String(decoding: page.body, as: UTF8.self)
                let code = String(uri.split(separator: "/").last ?? "")
                #expect(html.contains("<code>\(code)</code>"), "\(uri) does not name \(code)")
                #expect(!html.lowercased().contains("<script"), "\(uri) has a script")
            }
            let index = try await h.call(.get, "/docs/problems")
            #expect(index.status == 200 && index.contentType?.hasPrefix("text/html") == true)
            let indexHTML = String(decoding: index.body, as: UTF8.self)
            for type in ProblemType.all { #expect(indexHTML.contains("href=\"\(type.uri)\""), "the index does not link \(type.code)") }

            let unknown = try await h.call(.get, "/docs/problems/no-such-problem")
            #expect(unknown.status == 404 && unknown.contentType == "application/problem+json")
        }
    }

    @Test("openapi.yaml is served as it is in the repository")
    func specIsServed() async throws {
        try await ControlPlaneHarness.run { h in
            let reply = try await h.call(.get, "/docs/openapi.yaml")
            #expect(reply.status == 200)
            #expect(reply.contentType == "application/yaml")
            let onDisk = try Data(contentsOf: PermissionSweepTests.root.appendingPathComponent("openapi.yaml"))
            #expect(reply.body == onDisk)
        }
    }
}
