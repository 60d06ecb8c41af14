import Foundation
import Testing

/// Issue 13: a credential may hand out (or take over) only what it has itself.
@Suite("Privilege escalation")
struct PrivilegeEscalationTests {
    @Test("a users_manage key cannot create an admin, promote, reset an admin's password or delete an admin")
    func usersManageKeyStaysInItsLane() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, admin, adminEmail) = try await h.signup("acme")
            let key = try #require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                    json: ["name": "hr", "scopes": ["users_manage"]]).string("secret"))

            // 1. Create a tenant_admin (or a supervisor: config_read + agent_control the key lacks) with a chosen password.
            for role in ["tenant_admin", "supervisor"] {
                let created = try await h.call(.post, "/v1/users", token: key, json: [
                    "email": "\(role)@acme.test", "role": role, "password": "attacker-chosen-pw"])
                #expect(created.status == 403, "creating a \(role): \(created.status)")
                #expect(created.contentType == "application/problem+json")
                #expect((created["detail"] as? String)?.contains(role) == true)
                let login = try await h.call(.post, "/v1/auth/login", json: [
                    "tenant": "acme", "email": "\(role)@acme.test", "password": "attacker-chosen-pw"])
                #expect(login.status == 401)
            }

            // 2. Reset the admin's password and log in as the admin.
            let adminID = try #require(try await h.call(.get, "/v1/users", token: key).items
                .first { $0["email"] as? String == adminEmail }?["id"] as? String)
            let reset = try await h.call(.patch, "/v1/users/\(adminID)", token: key, json: ["password": "attacker-chosen-pw"])
            #expect(reset.status == 403)
            #expect(try await h.call(.post, "/v1/auth/login", json: [
                "tenant": "acme", "email": adminEmail, "password": "attacker-chosen-pw"]).status == 401)
            // The real password still works.
            _ = try await h.login(tenant: "acme", email: adminEmail, password: "correct-horse-battery")

            // 3. Make an agent user the key controls, then promote it.
            let agent = try await h.call(.post, "/v1/users", token: key, json: [
                "email": "plain@acme.test", "role": "agent", "password": "attacker-chosen-pw"])
            #expect(agent.status == 201)
            let agentID = try #require(agent["id"] as? String)
            let promote = try await h.call(.patch, "/v1/users/\(agentID)", token: key, json: ["role": "tenant_admin"])
            #expect(promote.status == 403)
            let session = try await h.login(tenant: "acme", email: "plain@acme.test", password: "attacker-chosen-pw")
            #expect(try await h.call(.get, "/v1/me", token: session)["role"] as? String == "agent")
            // Managing that agent (rename, new password) is what the key is for.
            #expect(try await h.call(.patch, "/v1/users/\(agentID)", token: key, json: ["name": "Plain", "password": "another-long-pw"]).status == 200)

            // 4. Delete (or demote) a user more powerful than the key: a second admin, so "last admin" is not what stops it.
            let second = try await h.call(.post, "/v1/users", token: admin, json: [
                "email": "admin2@acme.test", "role": "tenant_admin", "password": "second-admin-pw"])
            let secondID = try #require(second["id"] as? String)
            #expect(try await h.call(.patch, "/v1/users/\(secondID)", token: key, json: ["role": "agent"]).status == 403)
            #expect(try await h.call(.delete, "/v1/users/\(secondID)", token: key).status == 403)
            #expect(try await h.call(.get, "/v1/users/\(secondID)", token: admin)["role"] as? String == "tenant_admin")
        }
    }

    @Test("a supervisor's powers are not enough either; an admin session or admin key may do all of it")
    func adminsMayGrantEveryTenantRole() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, admin, adminEmail) = try await h.signup("acme")
            let adminSession = try await h.login(tenant: "acme", email: adminEmail, password: "correct-horse-battery")
            for (token, role) in [(admin, "tenant_admin"), (adminSession, "supervisor")] {
                let created = try await h.call(.post, "/v1/users", token: token, json: [
                    "email": "\(role)@acme.test", "role": role, "password": "chosen-by-admin"])
                #expect(created.status == 201)
            }
            // users_manage + config_write still lacks keys_manage and tenant:write: no admin.
            let mixed = try #require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                      json: ["name": "m", "scopes": ["users_manage", "config_write"]]).string("secret"))
            #expect(try await h.call(.post, "/v1/users", token: mixed, json: [
                "email": "x@acme.test", "role": "tenant_admin", "password": "attacker-chosen-pw"]).status == 403)
            // ...but config_write implies config_read and agent_control: a supervisor is within its powers.
            #expect(try await h.call(.post, "/v1/users", token: mixed, json: [
                "email": "sup2@acme.test", "role": "supervisor", "password": "chosen-by-key-1"]).status == 201)
        }
    }

    @Test("a keys_manage key cannot revoke the admin key (nor one with config_write); it may revoke a key within its own permissions")
    func keysManageCannotRevokeStrongerKeys() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, admin, _) = try await h.signup("acme")
            let manager = try #require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                        json: ["name": "keys", "scopes": ["keys_manage"]]).string("secret"))
            let writer = try #require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                       json: ["name": "writer", "scopes": ["config_write"]])["key"] as? [String: Any])
            let peer = try #require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                     json: ["name": "peer", "scopes": ["keys_manage"]])["key"] as? [String: Any])
            let keys = try await h.call(.get, "/v1/api-keys", token: admin).items
            let adminKeyID = try #require(keys.first { ($0["scopes"] as? [String]) == ["admin"] }?["id"] as? String)
            for id in [adminKeyID, try #require(writer["id"] as? String)] {
                let refused = try await h.call(.delete, "/v1/api-keys/\(id)", token: manager)
                #expect(refused.status == 403, "revoking \(id): \(refused.status)")
                #expect(refused.contentType == "application/problem+json")
            }
            #expect(try await h.call(.get, "/v1/me", token: admin).status == 200, "the admin key still works")
            #expect(try await h.call(.delete, "/v1/api-keys/\(try #require(peer["id"] as? String))", token: manager).status == 204)
            #expect(try await h.call(.delete, "/v1/api-keys/\(adminKeyID)", token: admin).status == 204, "an admin may revoke it")
        }
    }
}
