import ControlPlaneCore
@testable import ControlPlanePostgres
import Foundation
import Logging
import PostgresNIO
import Testing

extension Tag {
    @Tag static var databaseRole: Self
}

/// The request pool logs in as cc_app_login (issue 13): a role switch smuggled into a statement
/// cannot reach the owner, and row-level security still separates tenants.
@Suite("Database login role of the request pool", .tags(.databaseRole, .system))
struct DatabaseRoleTests {
    @Test("through the request pool: current_user is cc_app_login; SET ROLE to the owner fails; RESET ROLE stays cc_app_login; RLS hides other tenants")
    func requestPoolCannotBecomeOwner() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantA, _, _) = try await h.signup("acme")
            let (tenantB, _, _) = try await h.signup("bravo")
            let logger = Logger(label: "test")
            var owner = ""
            for try await name in try await h.admin.query("SELECT current_user::text", logger: logger).decode(String.self) { owner = name }
            #expect(!owner.isEmpty)

            try await h.postgres.withConnection { c in
                for try await (current, session) in try await c.query("SELECT current_user::text, session_user::text", logger: logger)
                    .decode((String, String).self) {
                    #expect(current == AppDatabaseLogin.role && session == AppDatabaseLogin.role)
                }
                // The owner is out of reach.
                await #expect(throws: PSQLError.self) { try await c.query("SET ROLE \(unescaped: owner)", logger: logger) }
                await #expect(throws: PSQLError.self) { try await c.query("SET SESSION AUTHORIZATION \(unescaped: owner)", logger: logger) }
                try await c.query("RESET ROLE", logger: logger)
                try await c.query("SET ROLE NONE", logger: logger)
                for try await current in try await c.query("SELECT current_user::text", logger: logger).decode(String.self) {
                    #expect(current == AppDatabaseLogin.role, "RESET ROLE leaves the login role, not the owner")
                }
                // Still bound by row-level security: no tenant set, no tenant rows; DDL is refused.
                for try await n in try await c.query("SELECT count(*)::int8 FROM tenants", logger: logger).decode(Int64.self) {
                    #expect(n == 0)
                }
                await #expect(throws: PSQLError.self) { try await c.query("ALTER TABLE tenants DISABLE ROW LEVEL SECURITY", logger: logger) }
            }
            // In tenant A's scope only A's rows are visible, even after RESET ROLE inside the transaction.
            let a = try #require(UUID(uuidString: tenantA))
            let visible = try await Database(client: h.postgres, logger: logger).tenant(a) { c in
                try await c.query("RESET ROLE")
                var ids: [UUID] = []
                for try await id in try await c.query("SELECT id FROM tenants").decode(UUID.self) { ids.append(id) }
                for try await id in try await c.query("SELECT tenant_id FROM users").decode(UUID.self) { ids.append(id) }
                return ids
            }
            #expect(visible == [a, a])
            #expect(!visible.contains { $0.uuidString.lowercased() == tenantB })

            // The login role is what the design says: member of cc_app only, no BYPASSRLS, owns nothing.
            for try await (superuser, bypass, memberships) in try await h.admin.query("""
                SELECT r.rolsuper, r.rolbypassrls,
                       coalesce((SELECT array_agg(g.rolname::text) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                 WHERE m.member = r.oid), '{}')
                FROM pg_roles r WHERE r.rolname = \(AppDatabaseLogin.role)
                """, logger: logger).decode((Bool, Bool, [String]).self) {
                #expect(!superuser && !bypass)
                #expect(memberships == ["cc_app"])
            }
            for try await owned in try await h.admin.query("""
                SELECT count(*)::int8 FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname IN ('cc_app', \(AppDatabaseLogin.role))
                """, logger: logger).decode(Int64.self) {
                #expect(owned == 0)
            }
        }
    }

    @Test("the derived password is stable per secret and differs between secrets", .tags(.databaseRole))
    func derivedPassword() {
        let one = AppDatabaseLogin.password(secret: "s1")
        #expect(one == AppDatabaseLogin.password(secret: "s1"))
        #expect(one != AppDatabaseLogin.password(secret: "s2"))
        #expect(one.count == 64 && one.allSatisfy(\.isHexDigit))
        #expect(AppDatabaseLogin.secret(environment: ["CC_DB_APP_SECRET": "x"], ownerPassword: "p") == "x")
        #expect(AppDatabaseLogin.secret(environment: [:], ownerPassword: "p") == "p")
    }
}
