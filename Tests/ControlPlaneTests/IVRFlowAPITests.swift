import Foundation
import Testing

@Suite("IVR flow versions, aliases and the simulator API")
struct IVRFlowAPITests {
    static func flow(greeting: String, queue: String = "sales") -> [String: Any] {
        [
            "name": "Main line", "start": "menu", "language": "en-US",
            "nodes": [
                "menu": [
                    "type": "menu", "prompt": ["text": greeting],
                    "options": ["1": "to_sales", "9": "bye"], "timeoutSeconds": 5, "maxAttempts": 2, "onFailure": "bye",
                ],
                "to_sales": ["type": "enqueue", "queue": queue],
                "bye": ["type": "hangup", "prompt": ["text": "Goodbye."]],
            ] as [String: Any],
        ]
    }

    @Test("versions are immutable and validated by the node's validator; aliases publish and roll back")
    func versionsAndAliases() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let unknownQueue = try await h.call(.post, "/v1/ivr/flows/main/versions", token: key, json: Self.flow(greeting: "Hi"))
            #expect(unknownQueue.status == 422)
            let fields = (unknownQueue["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains { $0.hasPrefix("nodes.to_sales") }, "\(fields)")

            _ = try await h.call(.post, "/v1/queues", token: key, json: ["name": "sales", "config": [String: Any]()])
            let v1 = try await h.call(.post, "/v1/ivr/flows/main/versions", token: key, json: Self.flow(greeting: "Welcome, press 1 for sales."))
            #expect(v1.status == 201, "\(String(decoding: v1.body, as: UTF8.self))")
            #expect(v1["version"] as? Int == 1)
            let v2 = try await h.call(.post, "/v1/ivr/flows/main/versions", token: key, json: Self.flow(greeting: "New greeting."))
            #expect(v2["version"] as? Int == 2)
            let stored = try await h.call(.get, "/v1/ivr/flows/main/versions/1", token: key)
            #expect(((stored["definition"] as? [String: Any])?["start"]) as? String == "menu")
            let page = try await h.call(.get, "/v1/ivr/flows/main/versions?limit=1", token: key)
            #expect(page.items.count == 1)
            let next = try #require(page["nextCursor"] as? String)
            #expect(try await h.call(.get, "/v1/ivr/flows/main/versions?limit=1&cursor=\(next)", token: key).items.first?["version"] as? Int == 2)

            #expect(try await h.call(.put, "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 7]).status == 422)
            #expect(try await h.call(.put, "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 1])["version"] as? Int == 1)
            let published = try await h.call(.put, "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 2])
            #expect(published["version"] as? Int == 2)
            #expect((published["history"] as? [[String: Any]])?.count == 2)
            let rolledBack = try await h.call(.post, "/v1/ivr/aliases/main/rollback", token: key)
            #expect(rolledBack.status == 200)
            #expect(rolledBack["version"] as? Int == 1)
            #expect(try await h.call(.post, "/v1/ivr/aliases/main/rollback", token: key).status == 409)
            #expect(try await h.call(.get, "/v1/ivr/aliases", token: key).items.count == 1)

            // Another tenant sees none of it.
            let other = try await h.signup("other")
            #expect(try await h.call(.get, "/v1/ivr/flows/main/versions/1", token: other.apiKey).status == 404)
            #expect(try await h.call(.get, "/v1/ivr/aliases/main", token: other.apiKey).status == 404)
            #expect(try await h.call(.post, "/v1/ivr/aliases/main/rollback", token: other.apiKey).status == 404)
            #expect(try await h.call(.put, "/v1/ivr/aliases/main", token: other.apiKey, json: ["flowName": "main", "version": 1]).status == 422)
        }
    }

    @Test("simulate a stored version and an unsaved flow: full trace and outcome")
    func simulate() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            _ = try await h.call(.post, "/v1/queues", token: key, json: ["name": "sales", "config": [String: Any]()])
            _ = try await h.call(.post, "/v1/ivr/flows/main/versions", token: key, json: Self.flow(greeting: "Press 1 for sales."))
            let script: [String: Any] = ["startTime": "2026-11-25T10:00:00Z", "caller": "+8613800000000",
                                         "inputs": [["digits": "7"], ["digits": "1", "afterSeconds": 3]]]
            let result = try await h.call(.post, "/v1/ivr/flows/main/versions/1/simulate", token: key, json: script)
            #expect(result.status == 200, "\(String(decoding: result.body, as: UTF8.self))")
            #expect((result["issues"] as? [Any])?.isEmpty == true)
            let path = try #require(result["path"] as? [String])
            #expect(path.first == "menu")
            #expect(path.last == "to_sales")
            #expect((result["trace"] as? [Any])?.isEmpty == false)
            let outcome = try #require(result["outcome"] as? [String: Any])
            #expect(String(describing: outcome).contains("sales"))

            let silent = try await h.call(.post, "/v1/ivr/simulate", token: key, json: [
                "flow": Self.flow(greeting: "Hello"), "script": ["startTime": "2026-11-25T10:00:00Z"]])
            #expect(silent.status == 200)
            #expect((silent["path"] as? [String])?.last == "bye")

            let invalid = try await h.call(.post, "/v1/ivr/simulate", token: key, json: [
                "flow": ["start": "nowhere", "nodes": [String: Any]()], "script": ["startTime": "2026-11-25T10:00:00Z"]])
            #expect(invalid.status == 200)
            #expect((invalid["issues"] as? [Any])?.isEmpty == false)
            let malformed = try await h.call(.post, "/v1/ivr/simulate", token: key, json: ["flow": ["nodes": 5], "script": [String: Any]()])
            #expect(malformed.status == 422)
        }
    }

    @Test("hostile flows and scripts get 422 naming the problem: a deeply nested condition, a step limit from the caller")
    func boundedWork() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let deep = String(repeating: "(", count: 400) + "1" + String(repeating: ")", count: 400)
            let flow: [String: Any] = ["name": "x", "start": "c", "language": "en-US", "nodes": [
                "c": ["type": "condition", "branches": [["when": deep, "next": "bye"]], "otherwise": "bye"],
                "bye": ["type": "hangup"],
            ] as [String: Any]]
            let stored = try await h.call(.post, "/v1/ivr/flows/deep/versions", token: key, json: flow)
            #expect(stored.status == 422, "\(String(decoding: stored.body, as: UTF8.self))")
            #expect(String(decoding: stored.body, as: UTF8.self).contains("nested deeper"))
            let steps = try await h.call(.post, "/v1/ivr/simulate", token: key, json: [
                "flow": Self.flow(greeting: "Hello"), "script": ["startTime": "2026-11-25T10:00:00Z", "maxSteps": 100_000_000]])
            #expect(steps.status == 422)
            #expect(String(decoding: steps.body, as: UTF8.self).contains("maxSteps"))
        }
    }
}
