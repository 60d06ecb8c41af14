@testable import ControlPlanePostgres
import Foundation
import Logging
import PostgresNIO
import PostgresSupport
import Testing
import TestSupport

@Suite("Migrations and row-level security")
struct DatabaseTests {
    let logger = Logger(label: "db-test")

    @Test("migrating twice is a no-op; a database newer than the code is refused")
    func migrations() async throws {
        let configuration = try await ControlPlaneHarness.databaseConfiguration()
        let logger = self.logger
        try await withPostgresClient(configuration, logger: logger) { client in
            let migrator = try Migrator.bundled()
            let applied = try await client.withConnection { try await migrator.migrate($0, logger: logger) }
            #expect(applied.isEmpty)  // the template was already migrated
            try await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (99999, 'future', 'x')")
            await #expect(throws: MigrationError.self) {
                try await client.withConnection { try await migrator.migrate($0, logger: logger) }
            }
        }
    }

    @Test("cc_app sees no tenant rows without a tenant, only its tenant's rows with one, and cannot write across")
    func rowLevelSecurity() async throws {
        let superuser = try await ControlPlaneHarness.databaseConfiguration()
        var app = superuser
        app.options.additionalStartupParameters = [("role", "cc_app")]
        let logger = self.logger
        let a = UUID(), b = UUID()
        try await withPostgresClient(superuser, logger: logger) { admin in
            for (id, slug) in [(a, "tenant-a"), (b, "tenant-b")] {
                try await admin.query("""
                    INSERT INTO tenants (id, slug, name, contact_email, timezone, default_language, sip_domain)
                    VALUES (\(id), \(slug), \(slug), 'x@y.z', 'UTC', 'en', \(slug + ".sip"))
                    """)
                try await admin.query("INSERT INTO skills (id, tenant_id, name) VALUES (\(UUID()), \(id), 'billing')")
            }
            // The application role is neither superuser nor BYPASSRLS nor owner of any table.
            for try await (superuser, bypass) in try await admin.query(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'cc_app'").decode((Bool, Bool).self) {
                #expect(!superuser && !bypass)
            }
            for try await count in try await admin.query(
                "SELECT count(*)::int8 FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'cc_app'").decode(Int64.self) {
                #expect(count == 0)
            }
            for try await count in try await admin.query("""
                SELECT count(*)::int8 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
                  AND relname NOT IN ('schema_migrations', 'config_epoch') AND NOT (relrowsecurity AND relforcerowsecurity)
                """).decode(Int64.self) {
                #expect(count == 0, "every table but schema_migrations and config_epoch has RLS enabled and forced")
            }
        }
        try await withPostgresClient(app, logger: logger) { client in
            let database = Database(client: client, logger: logger)
            var unscoped: Int64 = -1
            for try await count in try await client.query("SELECT count(*)::int8 FROM skills").decode(Int64.self) { unscoped = count }
            #expect(unscoped == 0)
            let visible = try await database.tenant(a) { c in
                var tenants: [UUID] = []
                for try await t in try await c.query("SELECT tenant_id FROM skills").decode(UUID.self) { tenants.append(t) }
                return tenants
            }
            #expect(visible == [a])
            await #expect(throws: (any Error).self) {
                try await database.tenant(a) { c in
                    try await c.query("INSERT INTO skills (id, tenant_id, name) VALUES (\(UUID()), \(b), 'sneaky')")
                }
            }
            let updated = try await database.tenant(a) { c in
                var n = 0
                for try await _ in try await c.query("UPDATE skills SET name = 'x' WHERE tenant_id = \(b) RETURNING id").decode(UUID.self) { n += 1 }
                return n
            }
            #expect(updated == 0)
        }
    }
}
