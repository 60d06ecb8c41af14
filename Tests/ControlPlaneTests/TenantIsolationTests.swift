import Foundation
import Hummingbird
import Testing

/// The isolation sweep: every route that takes an object id, called with tenant A's credentials on
/// tenant B's objects, answers 404 and changes nothing; an agent's credentials on admin routes get
/// 403; tenant credentials on platform and node routes get 403.
@Suite("Tenant isolation sweep")
struct TenantIsolationTests {
    struct Objects {
        var user = "", key = "", skill = "", agent = "", group = "", queue = "", number = ""
    }

    /// Creates one object of every kind in a tenant.
    static func populate(_ h: ControlPlaneHarness, key: String, tenantID: String, e164: String, staff: String) async throws -> Objects {
        var o = Objects()
        o.user = try #require(try await h.call(.post, "/v1/users", token: key, json: [
            "email": "agent@\(tenantID).test", "role": "agent", "password": "agent-password-1"])["id"] as? String)
        o.key = try #require(try await h.call(.post, "/v1/api-keys", token: key, json: ["name": "k", "scopes": ["config_read"]]).string("key", "id"))
        o.skill = try #require(try await h.call(.post, "/v1/skills", token: key, json: ["name": "billing"])["id"] as? String)
        o.agent = try #require(try await h.call(.post, "/v1/agents", token: key, json: [
            "name": "Agent", "extension": "100", "sipUsername": "agent100", "userId": o.user]).string("agent", "id"))
        o.group = try #require(try await h.call(.post, "/v1/agent-groups", token: key, json: ["name": "g", "agentIds": [o.agent]])["id"] as? String)
        o.queue = try #require(try await h.call(.post, "/v1/queues", token: key, json: ["name": "q", "config": ["strategy": "round_robin"]])["id"] as? String)
        let number = try #require(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": e164])["id"] as? String)
        _ = try await h.call(.put, "/v1/platform/numbers/\(number)/allocation", token: staff, json: ["tenantId": tenantID])
        _ = try await h.call(.put, "/v1/numbers/\(number)", token: key, json: ["type": "queue", "queueId": o.queue])
        o.number = number
        return o
    }

    /// Everything tenant B's admin can read about B's objects, to prove nothing changed.
    static func snapshot(_ h: ControlPlaneHarness, key: String, _ o: Objects) async throws -> [String] {
        var bodies: [String] = []
        for path in ["/v1/users/\(o.user)", "/v1/api-keys/\(o.key)", "/v1/skills/\(o.skill)", "/v1/agents/\(o.agent)",
                     "/v1/agent-groups/\(o.group)", "/v1/queues/\(o.queue)", "/v1/queues/\(o.queue)/members", "/v1/numbers/\(o.number)", "/v1/tenant"] {
            var reply = try await h.call(.get, path, token: key)
            #expect(reply.status == 200, "\(path)")
            // lastUsedAt moves as keys are used; everything else must be identical.
            if var object = reply.json as? [String: Any] {
                object["lastUsedAt"] = nil
                reply.body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            }
            bodies.append(path + " " + String(decoding: reply.body, as: UTF8.self))
        }
        return bodies
    }

    /// Routes taking an object id, with a body that would be valid on the owner's own object.
    static func routes(_ o: Objects, own: Objects) -> [(HTTPRequest.Method, String, Any?)] {
        [
            (.get, "/v1/users/\(o.user)", nil),
            (.patch, "/v1/users/\(o.user)", ["name": "pwned", "role": "tenant_admin"]),
            (.delete, "/v1/users/\(o.user)", nil),
            (.get, "/v1/api-keys/\(o.key)", nil),
            (.delete, "/v1/api-keys/\(o.key)", nil),
            (.get, "/v1/skills/\(o.skill)", nil),
            (.patch, "/v1/skills/\(o.skill)", ["name": "pwned"]),
            (.delete, "/v1/skills/\(o.skill)", nil),
            (.get, "/v1/agents/\(o.agent)", nil),
            (.patch, "/v1/agents/\(o.agent)", ["name": "pwned", "extension": "999"]),
            (.delete, "/v1/agents/\(o.agent)", nil),
            (.post, "/v1/agents/\(o.agent)/sip-secret", nil),
            (.put, "/v1/agents/\(o.agent)/skills", [["skillId": own.skill, "level": 5]]),
            (.get, "/v1/agent-groups/\(o.group)", nil),
            (.put, "/v1/agent-groups/\(o.group)", ["name": "pwned", "agentIds": [own.agent]]),
            (.delete, "/v1/agent-groups/\(o.group)", nil),
            (.get, "/v1/queues/\(o.queue)", nil),
            (.put, "/v1/queues/\(o.queue)", ["name": "pwned", "config": ["strategy": "random"]]),
            (.get, "/v1/queues/\(o.queue)/members", nil),
            (.put, "/v1/queues/\(o.queue)/members", ["items": [["agentId": own.agent]]]),
            (.delete, "/v1/queues/\(o.queue)", nil),
            (.get, "/v1/numbers/\(o.number)", nil),
            (.put, "/v1/numbers/\(o.number)", ["type": "none"]),
        ]
    }

    @Test("tenant A on tenant B's objects: 404 on every id route, nothing changes; cross-tenant references refused")
    func crossTenantSweep() async throws {
        try await ControlPlaneHarness.run { h in
            let staff = try await h.staffToken()
            let a = try await h.signup("tenant-a")
            let b = try await h.signup("tenant-b")
            let ownA = try await Self.populate(h, key: a.apiKey, tenantID: a.tenantID, e164: "+861000000001", staff: staff)
            let objB = try await Self.populate(h, key: b.apiKey, tenantID: b.tenantID, e164: "+861000000002", staff: staff)
            let before = try await Self.snapshot(h, key: b.apiKey, objB)
            let sessionA = try await h.login(tenant: "tenant-a", email: a.adminEmail, password: "correct-horse-battery")

            var covered: [String] = []
            for credential in [a.apiKey, sessionA] {
                for (method, path, body) in Self.routes(objB, own: ownA) {
                    let reply = try await h.call(method, path, token: credential, json: body)
                    #expect(reply.status == 404, "\(method) \(path) → \(reply.status)")
                    #expect(reply.contentType == "application/problem+json")
                    covered.append("\(method) \(path.replacingOccurrences(of: objB.user, with: "{userId}"))")
                }
            }
            // Body references to B's objects from A's own objects are refused (422) and change nothing.
            #expect(try await h.call(.put, "/v1/agents/\(ownA.agent)/skills", token: a.apiKey,
                                     json: [["skillId": objB.skill, "level": 5]]).status == 422)
            #expect(try await h.call(.put, "/v1/agent-groups/\(ownA.group)", token: a.apiKey,
                                     json: ["name": "g", "agentIds": [objB.agent]]).status == 422)
            #expect(try await h.call(.put, "/v1/queues/\(ownA.queue)/members", token: a.apiKey,
                                     json: ["items": [["agentId": objB.agent], ["groupId": objB.group]]]).status == 422)
            #expect(try await h.call(.put, "/v1/numbers/\(ownA.number)", token: a.apiKey,
                                     json: ["type": "queue", "queueId": objB.queue]).status == 422)
            #expect(try await h.call(.post, "/v1/agents", token: a.apiKey,
                                     json: ["name": "x", "extension": "555", "sipUsername": "x555", "userId": objB.user]).status == 422)
            // Lists never show B's rows.
            for path in ["/v1/users", "/v1/api-keys", "/v1/skills", "/v1/agents", "/v1/agent-groups", "/v1/queues", "/v1/numbers"] {
                let ids = try await h.call(.get, path, token: a.apiKey).items.compactMap { $0["id"] as? String }
                #expect(Set(ids).isDisjoint(with: [objB.user, objB.key, objB.skill, objB.agent, objB.group, objB.queue, objB.number]), "\(path)")
            }
            let after = try await Self.snapshot(h, key: b.apiKey, objB)
            #expect(before == after)
            #expect(covered.count == 46) // 23 id routes × (API key, session)
        }
    }

    @Test("agent and supervisor credentials on admin routes get 403; tenant credentials on platform and node routes get 403")
    func roleAndScopeSweep() async throws {
        try await ControlPlaneHarness.run { h in
            let staff = try await h.staffToken()
            let a = try await h.signup("tenant-a")
            let own = try await Self.populate(h, key: a.apiKey, tenantID: a.tenantID, e164: "+861000000003", staff: staff)
            let agentSession = try await h.login(tenant: "tenant-a", email: "agent@\(a.tenantID).test", password: "agent-password-1")
            let adminRoutes: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/v1/users", nil), (.post, "/v1/users", ["email": "x@y.test", "role": "agent", "password": "long-password"]),
                (.get, "/v1/api-keys", nil), (.post, "/v1/api-keys", ["name": "x", "scopes": ["admin"]]),
                (.patch, "/v1/tenant", ["name": "pwned"]),
                (.get, "/v1/agents", nil), (.post, "/v1/agents", ["name": "x", "extension": "77", "sipUsername": "x77"]),
                (.post, "/v1/skills", ["name": "x"]), (.post, "/v1/queues", ["name": "x", "config": [String: Any]()]),
                (.get, "/v1/queues", nil), (.get, "/v1/numbers", nil), (.post, "/v1/agent-groups", ["name": "x"]),
            ] + Self.routes(own, own: own).filter { $0.0 != .get }
            for (method, path, body) in adminRoutes {
                let reply = try await h.call(method, path, token: agentSession, json: body)
                #expect(reply.status == 403, "agent: \(method) \(path) → \(reply.status)")
            }
            #expect(try await h.call(.get, "/v1/tenant", token: agentSession).status == 200)

            let platformAndNode: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/v1/platform/tenants", nil),
                (.put, "/v1/platform/tenants/\(a.tenantID)/status", ["status": "suspended"]),
                (.get, "/v1/platform/numbers", nil),
                (.post, "/v1/platform/numbers", ["e164": "+861099999999"]),
                (.put, "/v1/platform/numbers/\(own.number)/allocation", ["tenantId": a.tenantID]),
                (.delete, "/v1/platform/numbers/\(own.number)/allocation", nil),
                (.get, "/v1/platform/nodes", nil),
                (.get, "/v1/platform/nodes/\(UUID().uuidString)", nil),
                (.put, "/v1/platform/nodes/\(UUID().uuidString)/admin-state", ["adminState": "draining"]),
                (.delete, "/v1/platform/nodes/\(UUID().uuidString)", nil),
                (.post, "/v1/node/heartbeat", ["configVersion": 1]),
            ]
            for credential in [a.apiKey, agentSession] {
                for (method, path, body) in platformAndNode {
                    let reply = try await h.call(method, path, token: credential, json: body)
                    #expect(reply.status == 403, "\(method) \(path) → \(reply.status)")
                }
            }
            // Staff cannot use tenant routes, and nodes cannot use either.
            #expect(try await h.call(.get, "/v1/agents", token: staff).status == 403)
            let node = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": ControlPlaneHarness.bootstrapToken, "name": "n"])
            let nodeCredential = try #require(node["credential"] as? String)
            #expect(try await h.call(.get, "/v1/agents", token: nodeCredential).status == 403)
            #expect(try await h.call(.get, "/v1/platform/nodes", token: nodeCredential).status == 403)
            // The tenant is still active and its number still allocated: nothing changed.
            #expect(try await h.call(.get, "/v1/tenant", token: a.apiKey)["status"] as? String == "active")
            #expect(try await h.call(.get, "/v1/numbers", token: a.apiKey).items.count == 1)
        }
    }
}
