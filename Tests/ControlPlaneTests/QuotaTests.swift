import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import Logging
import NodeTestSupport
import PostgresNIO
import Testing

extension Tag {
    @Tag static var quotas: Self
}

/// Tenant quotas (issue 13): what a tenant keeps is bounded per tenant, atomically, and one tenant's
/// configuration writes never wait on another's.
@Suite("Tenant quotas and per-tenant configuration versions", .tags(.quotas, .system))
struct QuotaTests {
    static func setLimits(_ h: ControlPlaneHarness, staff: String, tenant: String, _ quotas: [String: Int]) async throws -> ControlPlaneHarness.Reply {
        var body: [String: Any] = ["maxConcurrentCalls": 100, "maxRegistrations": 500]
        for (key, value) in quotas { body[key] = value }
        return try await h.call(.put, "/v1/platform/tenants/\(tenant)/limits", token: staff, json: body)
    }

    static func expectQuotaExceeded(_ reply: ControlPlaneHarness.Reply, _ field: String, _ usage: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == 409, "\(String(decoding: reply.body, as: UTF8.self))", sourceLocation: sourceLocation)
        #expect(reply.string("type")?.hasSuffix("quota-exceeded") == true, sourceLocation: sourceLocation)
        let detail = reply.string("detail") ?? ""
        #expect(detail.contains(field) && detail.contains(usage), "\(detail)", sourceLocation: sourceLocation)
        #expect(detail.contains("raise"), "the detail says how to get more: \(detail)", sourceLocation: sourceLocation)
    }

    @Test("fill each quota to its limit: the next create is 409 quota-exceeded naming it; lowering keeps rows but refuses new ones; other tenants are unaffected")
    func fillLowerIsolate() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantA, keyA, _) = try await h.signup("acme")
            let (_, keyB, _) = try await h.signup("bravo")
            let staff = try await h.staffToken()

            // Defaults are in every tenant's limits; omitted quotas stay as they are.
            let defaults = try await Self.setLimits(h, staff: staff, tenant: tenantA, [:])
            #expect(defaults.status == 200)
            let limits = defaults.object["limits"] as? [String: Any] ?? [:]
            #expect(limits["maxAgents"] as? Int == 200 && limits["maxPromptBytes"] as? Int == 200 * 1024 * 1024)
            #expect(try await Self.setLimits(h, staff: staff, tenant: tenantA, ["maxAgents": -1]).status == 422)
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantA)/limits", token: keyA,
                                     json: ["maxConcurrentCalls": 100, "maxRegistrations": 500, "maxAgents": 1000]).status == 403)

            let set = try await Self.setLimits(h, staff: staff, tenant: tenantA,
                                               ["maxAgents": 2, "maxApiKeys": 2, "maxUsers": 2, "maxQueues": 1, "maxNumbers": 1])
            #expect((set.object["limits"] as? [String: Any])?["maxAgents"] as? Int == 2)
            #expect((set.object["limits"] as? [String: Any])?["maxPrompts"] as? Int == 200, "omitted quotas are unchanged")

            // Agents: two fit, the third is refused; tenant B is not limited by A's quota.
            for n in 1...2 {
                let a = try await h.call(.post, "/v1/agents", token: keyA, json: ["name": "A\(n)", "extension": "100\(n)", "sipUsername": "a\(n)"])
                #expect(a.status == 201)
            }
            Self.expectQuotaExceeded(try await h.call(.post, "/v1/agents", token: keyA,
                                                      json: ["name": "A3", "extension": "1003", "sipUsername": "a3"]), "maxAgents", "2 of 2")
            for n in 1...3 {
                #expect(try await h.call(.post, "/v1/agents", token: keyB, json: ["name": "B\(n)", "extension": "100\(n)", "sipUsername": "b\(n)"]).status == 201)
            }
            // Lowered below usage: both agents stay, new ones are refused until enough are deleted.
            _ = try await Self.setLimits(h, staff: staff, tenant: tenantA, ["maxAgents": 1])
            let agents = try await h.call(.get, "/v1/agents", token: keyA).items
            #expect(agents.count == 2)
            Self.expectQuotaExceeded(try await h.call(.post, "/v1/agents", token: keyA,
                                                      json: ["name": "A3", "extension": "1003", "sipUsername": "a3"]), "maxAgents", "2 of 1")
            for agent in agents { #expect(try await h.call(.delete, "/v1/agents/\(agent["id"] as? String ?? "")", token: keyA).status == 204) }
            #expect(try await h.call(.post, "/v1/agents", token: keyA, json: ["name": "A3", "extension": "1003", "sipUsername": "a3"]).status == 201)

            // API keys: the signup key plus one; revoking frees room.
            let extra = try await h.call(.post, "/v1/api-keys", token: keyA, json: ["name": "ci", "scopes": ["config_read"]])
            #expect(extra.status == 201)
            Self.expectQuotaExceeded(try await h.call(.post, "/v1/api-keys", token: keyA, json: ["name": "ci2", "scopes": ["config_read"]]),
                                     "maxApiKeys", "2 of 2")
            let extraID = try #require(extra.string("key", "id"))
            #expect(try await h.call(.delete, "/v1/api-keys/\(extraID)", token: keyA).status == 204)
            #expect(try await h.call(.post, "/v1/api-keys", token: keyA, json: ["name": "ci2", "scopes": ["config_read"]]).status == 201)

            // Users: the signup admin plus one.
            #expect(try await h.call(.post, "/v1/users", token: keyA, json: ["email": "s@acme.test", "password": "correct-horse-2", "role": "supervisor"]).status == 201)
            Self.expectQuotaExceeded(try await h.call(.post, "/v1/users", token: keyA,
                                                      json: ["email": "t@acme.test", "password": "correct-horse-3", "role": "agent"]), "maxUsers", "2 of 2")

            // Queues.
            #expect(try await h.call(.post, "/v1/queues", token: keyA, json: ["name": "sales", "config": [String: Any]()]).status == 201)
            Self.expectQuotaExceeded(try await h.call(.post, "/v1/queues", token: keyA, json: ["name": "support", "config": [String: Any]()]),
                                     "maxQueues", "1 of 1")
            #expect(try await h.call(.post, "/v1/queues", token: keyB, json: ["name": "support", "config": [String: Any]()]).status == 201)

            // Numbers: staff allocate; the refusal tells staff how to raise the quota.
            var numbers: [String] = []
            for e164 in ["+861012345601", "+861012345602"] {
                numbers.append(try #require(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": e164])["id"] as? String))
            }
            #expect(try await h.call(.put, "/v1/platform/numbers/\(numbers[0])/allocation", token: staff, json: ["tenantId": tenantA]).status == 200)
            #expect(try await h.call(.put, "/v1/platform/numbers/\(numbers[0])/allocation", token: staff, json: ["tenantId": tenantA]).status == 200,
                    "re-allocating a number the tenant holds needs no room")
            let refused = try await h.call(.put, "/v1/platform/numbers/\(numbers[1])/allocation", token: staff, json: ["tenantId": tenantA])
            Self.expectQuotaExceeded(refused, "maxNumbers", "1 of 1")
            #expect(refused.string("detail")?.contains("/v1/platform/tenants/\(tenantA)/limits") == true)
        }
    }

    @Test("prompts: count and stored bytes; replacing a prompt frees its own bytes")
    func promptBytes() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantA, keyA, _) = try await h.signup("acme")
            let staff = try await h.staffToken()
            let work = try TemporaryDirectory()
            let chime = try PromptsTests.wav(work.path, "chime.wav")
            let long = try PromptsTests.wav(work.path, "long.wav", seconds: 2)
            _ = try await Self.setLimits(h, staff: staff, tenant: tenantA, ["maxPrompts": 2, "maxPromptBytes": chime.count + 100])
            #expect(try await h.call(.put, "/v1/prompts/chime.wav", token: keyA, bytes: chime, contentType: "audio/wav").status == 200)
            // Bytes: a second file does not fit; the same name with the same size does (it replaces).
            let tooBig = try await h.call(.put, "/v1/prompts/other.wav", token: keyA, bytes: chime, contentType: "audio/wav")
            Self.expectQuotaExceeded(tooBig, "maxPromptBytes", "\(chime.count) of \(chime.count + 100)")
            #expect(try await h.call(.put, "/v1/prompts/chime.wav", token: keyA, bytes: chime, contentType: "audio/wav").status == 200)
            Self.expectQuotaExceeded(try await h.call(.put, "/v1/prompts/chime.wav", token: keyA, bytes: long, contentType: "audio/wav"),
                                     "maxPromptBytes", "0 of \(chime.count + 100)")
            // Count.
            _ = try await Self.setLimits(h, staff: staff, tenant: tenantA, ["maxPrompts": 1, "maxPromptBytes": 100_000_000])
            Self.expectQuotaExceeded(try await h.call(.put, "/v1/prompts/other.wav", token: keyA, bytes: chime, contentType: "audio/wav"),
                                     "maxPrompts", "1 of 1")
            #expect(try await h.call(.put, "/v1/prompts/chime.wav", token: keyA, bytes: long, contentType: "audio/wav").status == 200)
            let stored = try await h.admin.query("SELECT octet_length(content)::int8 FROM prompts").collect()
            #expect(try stored.map { try $0.decode(Int64.self) } == [Int64(long.count)])
        }
    }

    @Test("8 concurrent agent creates with room for one: exactly one passes, the tenant ends at its limit")
    func concurrentCreatesAtLimit() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantA, keyA, _) = try await h.signup("acme")
            let staff = try await h.staffToken()
            _ = try await Self.setLimits(h, staff: staff, tenant: tenantA, ["maxAgents": 5])
            for n in 1...4 {
                #expect(try await h.call(.post, "/v1/agents", token: keyA, json: ["name": "A\(n)", "extension": "100\(n)", "sipUsername": "a\(n)"]).status == 201)
            }
            let tenantID = try #require(UUID(uuidString: tenantA))
            let database = Database(client: h.postgres, logger: Logger(label: "test"))
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        let agent = AgentRecord(id: UUID(), tenantID: tenantID, userID: nil, name: "C\(n)", phoneExtension: "20\(n)",
                                                sipUsername: "c\(n)", skills: [], createdAt: Date())
                        do {
                            try await database.tenant(tenantID) { c in
                                try await AgentRepository.insert(c, agent, credentials: SIPCredentials.generate(username: "c\(n)", realm: "acme"))
                            }
                            return "created"
                        } catch let error as ControlPlaneError {
                            return error.code.rawValue
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "created" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "quota-exceeded" }.count == 7, "\(outcomes)")
            #expect(try await h.call(.get, "/v1/agents?limit=100", token: keyA).items.count == 5)
        }
    }

    @Test("an uncommitted configuration change of tenant A does not hold up tenant B's; the node's version moves with each, and with a move")
    func perTenantConfigVersions() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantA, keyA, _) = try await h.signup("acme")
            let (tenantB, _, _) = try await h.signup("bravo")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            let first = try await h.call(.get, "/v1/node/config", token: node.credential)
            #expect((first["tenants"] as? [Any])?.count == 2)
            let v0 = try #require(first["version"] as? Int)
            let beat = try await h.call(.post, "/v1/node/heartbeat", token: node.credential, json: [String: Any]())
            #expect(beat["configVersion"] as? Int == v0, "the heartbeat names the snapshot version, so an idle node does not re-fetch")
            #expect(try await h.call(.get, "/v1/node/config?ifNewerThan=\(v0)", token: node.credential).status == 204)

            let a = try #require(UUID(uuidString: tenantA)), b = try #require(UUID(uuidString: tenantB))
            let logger = Logger(label: "test")
            let v1 = try await h.postgres.withTransaction(logger: logger) { held -> Int in
                // Tenant A's change, not committed yet.
                try await held.query("SELECT set_config('app.tenant_id', \(a.uuidString), true)", logger: logger)
                try await held.query("INSERT INTO skills (id, tenant_id, name) VALUES (\(UUID()), \(a), 'french')", logger: logger)
                // Tenant B's change commits meanwhile; waiting on A's lock would fail it (lock_timeout).
                try await h.postgres.withTransaction(logger: logger) { c in
                    try await c.query("SELECT set_config('app.tenant_id', \(b.uuidString), true)", logger: logger)
                    try await c.query("SET LOCAL lock_timeout = '5s'", logger: logger)
                    try await c.query("INSERT INTO skills (id, tenant_id, name) VALUES (\(UUID()), \(b), 'german')", logger: logger)
                }
                let config = try await h.call(.get, "/v1/node/config?ifNewerThan=\(v0)", token: node.credential)
                #expect(config.status == 200, "tenant B's committed change is a new version")
                let skills = (config["tenants"] as? [[String: Any]] ?? []).map { ($0["slug"] as? String ?? "", $0["skills"] as? [String] ?? []) }
                #expect(skills.first { $0.0 == "bravo" }?.1 == ["german"])
                #expect(skills.first { $0.0 == "acme" }?.1 == [], "A's uncommitted change is not in the snapshot")
                return try #require(config["version"] as? Int)
            }
            #expect(v1 > v0)
            let afterA = try await h.call(.get, "/v1/node/config?ifNewerThan=\(v1)", token: node.credential)
            #expect(afterA.status == 200, "A's commit is a new version")
            let v2 = try #require(afterA["version"] as? Int)
            #expect(v2 > v1)
            // A change through the API (tenant settings) moves it too.
            #expect(try await h.call(.patch, "/v1/tenant", token: keyA, json: ["name": "Acme Ltd"]).status == 200)
            let v3 = try #require(try await h.call(.get, "/v1/node/config?ifNewerThan=\(v2)", token: node.credential)["version"] as? Int)
            #expect(v3 > v2)

            // A tenant leaving the node: the node's version still grows (never repeats), and its snapshot loses the tenant.
            let other = try await NodeChannelTests.registerNode(h, name: "node-2")
            let staff = try await h.staffToken()
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantB)/placement", token: staff, json: ["nodeId": other.id]).status == 200)
            let left = try await h.call(.get, "/v1/node/config?ifNewerThan=\(v3)", token: node.credential)
            #expect(left.status == 200)
            #expect(try #require(left["version"] as? Int) > v3)
            #expect((left["tenants"] as? [[String: Any]])?.map { $0["slug"] as? String } == ["acme"])
        }
    }
}
