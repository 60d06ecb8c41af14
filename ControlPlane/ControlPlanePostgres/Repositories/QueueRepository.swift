import CallCenterModel
import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum QueueRepository {
    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: QueueRecord, micros: Int64, id: UUID)] {
        var result: [(item: QueueRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, config, created, updated, micros) in rows.decode((UUID, String, String, Date, Date, Int64).self) {
            let decoded = try JSONDecoder().decode(QueueConfiguration.self, from: Data(config.utf8))
            result.append((QueueRecord(id: id, name: name, config: decoded, createdAt: created, updatedAt: updated), micros, id))
        }
        return result
    }

    static func json(_ config: QueueConfiguration) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }

    public static func insert(_ tx: Transaction, tenantID: UUID, _ q: QueueRecord) async throws {
        try await QuotaRepository.reserve(tx, tenantID: tenantID, .queues)
        let config = try json(q.config)
        try await mapConflicts({ _ in "A queue named '\(q.name)' already exists." }) {
            try await tx.query("""
                INSERT INTO queues (id, tenant_id, name, config, created_at, updated_at)
                VALUES (\(q.id), \(tenantID), \(q.name), \(config)::jsonb, \(q.createdAt), \(q.updatedAt))
                """)
        }
    }

    public static func replace(_ tx: Transaction, tenantID: UUID, id: UUID, name: String, config: QueueConfiguration) async throws -> QueueRecord? {
        let json = try json(config)
        return try await mapConflicts({ _ in "A queue named '\(name)' already exists." }) {
            try await decode(tx.query("""
                UPDATE queues SET name = \(name), config = \(json)::jsonb, updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING id, name, config::text, created_at, updated_at, \(unescaped: Paging.cursorColumn)
                """)).first?.item
        }
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> QueueRecord? {
        try await decode(tx.query("""
            SELECT id, name, config::text, created_at, updated_at, \(unescaped: Paging.cursorColumn)
            FROM queues WHERE tenant_id = \(tenantID) AND id = \(id)
            """)).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<QueueRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT id, name, config::text, created_at, updated_at, \(unescaped: Paging.cursorColumn) FROM queues WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func delete(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        try await tx.query("""
            UPDATE phone_numbers SET route_type = 'none', route_queue_id = NULL WHERE tenant_id = \(tenantID) AND route_queue_id = \(id)
            """)
        var found = false
        for try await _ in try await tx.query(
            "DELETE FROM queues WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id").decode(UUID.self) {
            found = true
        }
        return found
    }

    /// Skill names defined in the tenant (queues refer to skills by name).
    public static func skillNames(_ tx: Transaction, tenantID: UUID) async throws -> Set<String> {
        var names = Set<String>()
        for try await name in try await tx.query("SELECT name FROM skills WHERE tenant_id = \(tenantID)").decode(String.self) {
            names.insert(name)
        }
        return names
    }
}
