import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum SkillRepository {
    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: SkillRecord, micros: Int64, id: UUID)] {
        var result: [(item: SkillRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, description, created, micros) in rows.decode((UUID, String, String, Date, Int64).self) {
            result.append((SkillRecord(id: id, name: name, description: description, createdAt: created), micros, id))
        }
        return result
    }

    public static func insert(_ tx: Transaction, tenantID: UUID, _ s: SkillRecord) async throws {
        try await mapConflicts({ _ in "A skill named '\(s.name)' already exists." }) {
            try await tx.query("""
                INSERT INTO skills (id, tenant_id, name, description, created_at)
                VALUES (\(s.id), \(tenantID), \(s.name), \(s.description), \(s.createdAt))
                """)
        }
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> SkillRecord? {
        try await decode(tx.query("""
            SELECT id, name, description, created_at, \(unescaped: Paging.cursorColumn) FROM skills WHERE tenant_id = \(tenantID) AND id = \(id)
            """)).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<SkillRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT id, name, description, created_at, \(unescaped: Paging.cursorColumn) FROM skills WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func update(_ tx: Transaction, tenantID: UUID, id: UUID, name: String, description: String?) async throws -> SkillRecord? {
        try await mapConflicts({ _ in "A skill named '\(name)' already exists." }) {
            try await decode(tx.query("""
                UPDATE skills SET name = \(name), description = coalesce(\(description), description)
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING id, name, description, created_at, \(unescaped: Paging.cursorColumn)
                """)).first?.item
        }
    }

    public static func delete(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query(
            "DELETE FROM skills WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id").decode(UUID.self) {
            found = true
        }
        return found
    }
}
