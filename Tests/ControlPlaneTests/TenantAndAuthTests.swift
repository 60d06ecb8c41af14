import Foundation
import Testing

@Suite("Tenants, users, sessions and API keys")
struct TenantAndAuthTests {
    @Test("sign-up creates tenant, admin and a working admin key; login, me and logout work")
    func signupLoginLogout() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, email) = try await h.signup("acme")
            let tenant = try await h.call(.get, "/v1/tenant", token: key)
            #expect(tenant.status == 200)
            #expect(tenant["id"] as? String == tenantID)
            #expect(tenant["sipDomain"] as? String == "acme.sip.localhost")
            #expect(tenant["timezone"] as? String == "Asia/Shanghai")

            let token = try await h.login(tenant: "acme", email: email, password: "correct-horse-battery")
            #expect(token.hasPrefix("ccs_"))
            let me = try await h.call(.get, "/v1/me", token: token)
            #expect(me["kind"] as? String == "user")
            #expect(me["role"] as? String == "tenant_admin")
            #expect(me["tenantId"] as? String == tenantID)

            #expect(try await h.call(.post, "/v1/auth/logout", token: token).status == 204)
            let after = try await h.call(.get, "/v1/me", token: token)
            #expect(after.status == 401)
            #expect(after.contentType == "application/problem+json")
        }
    }

    @Test("duplicate slug is a 409 problem and bad sign-up input names every field")
    func signupValidation() async throws {
        try await ControlPlaneHarness.run { h in
            _ = try await h.signup("acme")
            let duplicate = try await h.call(.post, "/v1/signup", json: [
                "tenantName": "Other", "slug": "acme", "contactEmail": "a@b.test", "adminEmail": "x@b.test",
                "adminPassword": "long-enough-password",
            ])
            #expect(duplicate.status == 409)
            #expect((duplicate["detail"] as? String)?.contains("acme") == true)

            let bad = try await h.call(.post, "/v1/signup", json: [
                "tenantName": "  ", "slug": "-Bad", "contactEmail": "nope", "timezone": "Mars/Base",
                "defaultLanguage": "english!", "adminEmail": "x", "adminPassword": "short",
            ])
            #expect(bad.status == 422)
            #expect(bad.contentType == "application/problem+json")
            let fields = Set((bad["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["tenantName", "slug", "contactEmail", "timezone", "defaultLanguage", "adminEmail", "adminPassword"])
            // A value past a bound openapi.yaml states is refused before the rest is looked at (SpecLimitsMiddleware).
            let long = try await h.call(.post, "/v1/signup", json: [
                "tenantName": String(repeating: "x", count: 201), "slug": "fine-slug", "contactEmail": "a@b.test",
                "adminEmail": "x@b.test", "adminPassword": "long-enough-password",
            ])
            #expect(long.status == 422)
            #expect((long["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["tenantName"])

            let notJSON = try await h.call(.post, "/v1/signup", rawBody: "{not json")
            #expect(notJSON.status == 400)
            #expect(notJSON.contentType == "application/problem+json")
            #expect(notJSON["detail"] != nil)

            // Nothing was written by the failed attempts.
            let staff = try await h.staffToken()
            let tenants = try await h.call(.get, "/v1/platform/tenants", token: staff)
            #expect(tenants.items.count == 1)
        }
    }

    @Test("wrong password and unknown user look the same; repeated failures are throttled")
    func loginFailures() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, _, email) = try await h.signup("acme")
            let wrong = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "wrong-password"])
            let unknown = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": "ghost@acme.test", "password": "wrong-password"])
            #expect(wrong.status == 401)
            #expect(unknown.status == 401)
            #expect(wrong["detail"] as? String == unknown["detail"] as? String)
            for _ in 0..<4 {
                _ = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "wrong-password"])
            }
            let throttled = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "correct-horse-battery"])
            #expect(throttled.status == 429)
        }
    }

    @Test("API keys: scopes limit, revocation is immediate, malformed keys are refused, no escalation")
    func apiKeys() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, admin, _) = try await h.signup("acme")
            let created = try await h.call(.post, "/v1/api-keys", token: admin, json: ["name": "reader", "scopes": ["config_read"]])
            #expect(created.status == 201)
            let reader = try #require(created.string("secret"))
            let keyID = try #require(created.string("key", "id"))
            let prefix = try #require(created.string("key", "prefix"))
            #expect(reader.hasPrefix(prefix + "_"))

            // Listed without the secret.
            let list = try await h.call(.get, "/v1/api-keys", token: admin)
            #expect(list.items.contains { $0["prefix"] as? String == prefix && $0["secret"] == nil })

            #expect(try await h.call(.get, "/v1/agents", token: reader).status == 200)
            let write = try await h.call(.post, "/v1/agents", token: reader, json: ["name": "A", "extension": "101", "sipUsername": "a"])
            #expect(write.status == 403)
            let escalate = try await h.call(.post, "/v1/api-keys", token: reader, json: ["name": "x", "scopes": ["admin"]])
            #expect(escalate.status == 403)

            #expect(try await h.call(.delete, "/v1/api-keys/\(keyID)", token: admin).status == 204)
            let revoked = try await h.call(.get, "/v1/agents", token: reader)
            #expect(revoked.status == 401)
            #expect((revoked["detail"] as? String)?.contains("revoked") == true)

            let malformed = try await h.call(.get, "/v1/agents", token: "cck_short")
            #expect(malformed.status == 401)
            #expect((malformed["detail"] as? String)?.contains("malformed") == true)

            // Stored only as a hash.
            let needle = "%" + String(reader.suffix(10)) + "%"
            let rows = try await h.admin.query("SELECT count(*)::int8 FROM api_keys WHERE encode(secret_hash, 'escape') LIKE \(needle)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test("suspended tenants get 403 on keys and sessions; reactivation restores access")
    func suspension() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, email) = try await h.signup("acme")
            let session = try await h.login(tenant: "acme", email: email, password: "correct-horse-battery")
            let staff = try await h.staffToken()
            let suspend = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/status", token: staff,
                                           json: ["status": "suspended", "reason": "unpaid invoice"])
            #expect(suspend.status == 200)
            #expect(suspend["status"] as? String == "suspended")
            for token in [key, session] {
                let reply = try await h.call(.get, "/v1/tenant", token: token)
                #expect(reply.status == 403)
                #expect((reply["detail"] as? String)?.contains("suspended") == true)
            }
            let login = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "correct-horse-battery"])
            #expect(login.status == 403)
            _ = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/status", token: staff, json: ["status": "active"])
            #expect(try await h.call(.get, "/v1/tenant", token: key).status == 200)
        }
    }

    @Test("users: roles, password change revokes sessions, last admin is protected")
    func users() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, email) = try await h.signup("acme")
            let created = try await h.call(.post, "/v1/users", token: key, json: [
                "email": "sup@acme.test", "name": "Sup", "role": "supervisor", "password": "supervisor-pass"])
            #expect(created.status == 201)
            let userID = try #require(created["id"] as? String)
            let supSession = try await h.login(tenant: "acme", email: "sup@acme.test", password: "supervisor-pass")
            #expect(try await h.call(.get, "/v1/agents", token: supSession).status == 200)
            #expect(try await h.call(.post, "/v1/skills", token: supSession, json: ["name": "x"]).status == 403)

            let changed = try await h.call(.patch, "/v1/users/\(userID)", token: key, json: ["password": "a-new-password"])
            #expect(changed.status == 200)
            #expect(try await h.call(.get, "/v1/agents", token: supSession).status == 401)

            let staffRole = try await h.call(.post, "/v1/users", token: key, json: [
                "email": "evil@acme.test", "role": "platform_staff", "password": "whatever-long"])
            #expect(staffRole.status == 422)

            let admins = try await h.call(.get, "/v1/users", token: key).items.filter { $0["email"] as? String == email }
            let adminID = try #require(admins.first?["id"] as? String)
            #expect(try await h.call(.delete, "/v1/users/\(adminID)", token: key).status == 409)
            #expect(try await h.call(.patch, "/v1/users/\(adminID)", token: key, json: ["role": "agent"]).status == 409)
        }
    }
}
