import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum AgentGroupRepository {
    static func decode(_ tx: Transaction, _ rows: PostgresRowSequence) async throws -> [(item: AgentGroupRecord, micros: Int64, id: UUID)] {
        var result: [(item: AgentGroupRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, created, micros) in rows.decode((UUID, String, Date, Int64).self) {
            result.append((AgentGroupRecord(id: id, name: name, agentIDs: [], createdAt: created), micros, id))
        }
        guard !result.isEmpty else { return result }
        var members: [UUID: [UUID]] = [:]
        for try await (group, agent) in try await tx.query("""
            SELECT group_id, agent_id FROM agent_group_members WHERE group_id = ANY(\(result.map(\.id))) ORDER BY agent_id
            """).decode((UUID, UUID).self) {
            members[group, default: []].append(agent)
        }
        for index in result.indices { result[index].item.agentIDs = members[result[index].id] ?? [] }
        return result
    }

    /// Inserts or replaces a group and its members; every agent must belong to the tenant.
    public static func upsert(_ tx: Transaction, tenantID: UUID, _ g: AgentGroupRecord, insert: Bool) async throws -> AgentGroupRecord? {
        let wanted = Array(Set(g.agentIDs))
        var known = Set<UUID>()
        for try await agent in try await tx.query(
            "SELECT id FROM agents WHERE tenant_id = \(tenantID) AND id = ANY(\(wanted))").decode(UUID.self) {
            known.insert(agent)
        }
        if let index = g.agentIDs.firstIndex(where: { !known.contains($0) }) {
            throw ControlPlaneError.invalid("agentIds[\(index)]", "agent \(g.agentIDs[index]) does not exist in your tenant")
        }
        let updated: Bool = try await mapConflicts({ _ in "A group named '\(g.name)' already exists." }) {
            if insert {
                try await tx.query("""
                    INSERT INTO agent_groups (id, tenant_id, name, created_at) VALUES (\(g.id), \(tenantID), \(g.name), \(g.createdAt))
                    """)
                return true
            }
            var found = false
            for try await _ in try await tx.query("""
                UPDATE agent_groups SET name = \(g.name) WHERE tenant_id = \(tenantID) AND id = \(g.id) RETURNING id
                """).decode(UUID.self) { found = true }
            return found
        }
        guard updated else { return nil }
        try await tx.query("DELETE FROM agent_group_members WHERE tenant_id = \(tenantID) AND group_id = \(g.id)")
        for agent in wanted {
            try await tx.query("""
                INSERT INTO agent_group_members (tenant_id, group_id, agent_id) VALUES (\(tenantID), \(g.id), \(agent))
                """)
        }
        return try await get(tx, tenantID: tenantID, id: g.id)
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> AgentGroupRecord? {
        try await decode(tx, tx.query("""
            SELECT id, name, created_at, \(unescaped: Paging.cursorColumn) FROM agent_groups WHERE tenant_id = \(tenantID) AND id = \(id)
            """)).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<AgentGroupRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx, tx.query("""
            SELECT id, name, created_at, \(unescaped: Paging.cursorColumn) FROM agent_groups WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func delete(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query(
            "DELETE FROM agent_groups WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id").decode(UUID.self) {
            found = true
        }
        return found
    }
}
