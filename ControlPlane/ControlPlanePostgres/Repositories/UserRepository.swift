import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum UserRepository {
    static let columns = "id, tenant_id, email, name, role, created_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: UserRecord, micros: Int64, id: UUID)] {
        var result: [(item: UserRecord, micros: Int64, id: UUID)] = []
        for try await (id, tenant, email, name, role, created, micros) in rows.decode(
            (UUID, UUID?, String, String, String, Date, Int64).self) {
            result.append((UserRecord(id: id, tenantID: tenant, email: email, name: name,
                                      role: Role(rawValue: role) ?? .agent, createdAt: created), micros, id))
        }
        return result
    }

    public static func insert(_ tx: Transaction, _ u: UserRecord, passwordHash: String) async throws {
        if let tenantID = u.tenantID { try await QuotaRepository.reserve(tx, tenantID: tenantID, .users) }
        try await mapConflicts({ _ in "A user with email '\(u.email)' already exists." }) {
            try await tx.query("""
                INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at)
                VALUES (\(u.id), \(u.tenantID), \(u.email), \(u.name), \(u.role.rawValue), \(passwordHash), \(u.createdAt))
                """)
        }
    }

    /// The user; `forUpdate` locks the row until the transaction ends (check-then-change of role or password).
    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID, forUpdate: Bool = false) async throws -> UserRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM users WHERE tenant_id = \(tenantID) AND id = \(id)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """)).first?.item
    }

    public static func getAny(_ tx: Transaction, id: UUID) async throws -> UserRecord? {
        try await decode(tx.query("SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM users WHERE id = \(id)")).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<UserRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM users WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func update(_ tx: Transaction, tenantID: UUID, id: UUID, name: String?, role: Role?,
                              passwordHash: String?) async throws -> UserRecord? {
        try await decode(tx.query("""
            UPDATE users SET name = coalesce(\(name), name), role = coalesce(\(role?.rawValue), role),
                   password_hash = coalesce(\(passwordHash), password_hash), updated_at = now()
            WHERE tenant_id = \(tenantID) AND id = \(id)
            RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }

    /// Deletes the user; their sessions go with them (ON DELETE CASCADE).
    public static func delete(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        let rows = try await tx.query("DELETE FROM users WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id")
        var deleted = false
        for try await _ in rows.decode(UUID.self) { deleted = true }
        return deleted
    }

    /// Counts the tenant's remaining admins (to refuse removing the last one).
    public static func adminCount(_ tx: Transaction, tenantID: UUID) async throws -> Int {
        var count = 0
        for try await n in try await tx.query(
            "SELECT count(*)::int8 FROM users WHERE tenant_id = \(tenantID) AND role = 'tenant_admin'").decode(Int64.self) {
            count = Int(n)
        }
        return count
    }

    /// What login needs (platform scope): the user, their password hash and their tenant's status.
    public struct LoginCandidate: Sendable {
        public var user: UserRecord
        public var passwordHash: String
        public var tenantStatus: TenantStatus?
    }

    public static func loginCandidate(_ tx: Transaction, tenantSlug: String?, email: String) async throws -> LoginCandidate? {
        let rows = try await tx.query("""
            SELECT u.id, u.tenant_id, u.email, u.name, u.role, u.created_at, u.password_hash, t.status
            FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id
            WHERE lower(u.email) = lower(\(email))
              AND ((\(tenantSlug)::text IS NULL AND u.tenant_id IS NULL) OR t.slug = \(tenantSlug))
            """)
        for try await (id, tenant, email, name, role, created, hash, status) in rows.decode(
            (UUID, UUID?, String, String, String, Date, String, String?).self) {
            return LoginCandidate(
                user: UserRecord(id: id, tenantID: tenant, email: email, name: name, role: Role(rawValue: role) ?? .agent, createdAt: created),
                passwordHash: hash, tenantStatus: status.flatMap(TenantStatus.init(rawValue:)))
        }
        return nil
    }

    public static func staffExists(_ tx: Transaction) async throws -> Bool {
        for try await n in try await tx.query("SELECT count(*)::int8 FROM users WHERE tenant_id IS NULL").decode(Int64.self) {
            return n > 0
        }
        return false
    }
}
