import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum AgentGroupRepository {
    static func decode(_ c: PostgresConnection, _ rows: PostgresRowSequence,
                       logger: Logger) async throws -> [(item: AgentGroupRecord, micros: Int64, id: UUID)] {
        var result: [(item: AgentGroupRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, created, micros) in rows.decode((UUID, String, Date, Int64).self) {
            result.append((AgentGroupRecord(id: id, name: name, agentIDs: [], createdAt: created), micros, id))
        }
        guard !result.isEmpty else { return result }
        var members: [UUID: [UUID]] = [:]
        for try await (group, agent) in try await c.query("""
            SELECT group_id, agent_id FROM agent_group_members WHERE group_id = ANY(\(result.map(\.id))) ORDER BY agent_id
            """, logger: logger).decode((UUID, UUID).self) {
            members[group, default: []].append(agent)
        }
        for index in result.indices { result[index].item.agentIDs = members[result[index].id] ?? [] }
        return result
    }

    /// Inserts or replaces a group and its members; every agent must belong to the tenant.
    public static func upsert(_ c: PostgresConnection, tenantID: UUID, _ g: AgentGroupRecord, insert: Bool,
                              logger: Logger) async throws -> AgentGroupRecord? {
        let wanted = Array(Set(g.agentIDs))
        var known = Set<UUID>()
        for try await agent in try await c.query(
            "SELECT id FROM agents WHERE tenant_id = \(tenantID) AND id = ANY(\(wanted))", logger: logger).decode(UUID.self) {
            known.insert(agent)
        }
        if let index = g.agentIDs.firstIndex(where: { !known.contains($0) }) {
            throw ControlPlaneError.invalid("agentIds[\(index)]", "agent \(g.agentIDs[index]) does not exist in your tenant")
        }
        let updated: Bool = try await mapConflicts({ _ in "A group named '\(g.name)' already exists." }) {
            if insert {
                try await c.query("""
                    INSERT INTO agent_groups (id, tenant_id, name, created_at) VALUES (\(g.id), \(tenantID), \(g.name), \(g.createdAt))
                    """, logger: logger)
                return true
            }
            var found = false
            for try await _ in try await c.query("""
                UPDATE agent_groups SET name = \(g.name) WHERE tenant_id = \(tenantID) AND id = \(g.id) RETURNING id
                """, logger: logger).decode(UUID.self) { found = true }
            return found
        }
        guard updated else { return nil }
        try await c.query("DELETE FROM agent_group_members WHERE tenant_id = \(tenantID) AND group_id = \(g.id)", logger: logger)
        for agent in wanted {
            try await c.query("""
                INSERT INTO agent_group_members (tenant_id, group_id, agent_id) VALUES (\(tenantID), \(g.id), \(agent))
                """, logger: logger)
        }
        return try await get(c, tenantID: tenantID, id: g.id, logger: logger)
    }

    public static func get(_ c: PostgresConnection, tenantID: UUID, id: UUID, logger: Logger) async throws -> AgentGroupRecord? {
        try await decode(c, c.query("""
            SELECT id, name, created_at, \(unescaped: Paging.cursorColumn) FROM agent_groups WHERE tenant_id = \(tenantID) AND id = \(id)
            """, logger: logger), logger: logger).first?.item
    }

    public static func list(_ c: PostgresConnection, tenantID: UUID, page: PageRequest, logger: Logger) async throws -> Page<AgentGroupRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(c, c.query("""
            SELECT id, name, created_at, \(unescaped: Paging.cursorColumn) FROM agent_groups WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """, logger: logger), logger: logger)
        return Paging.page(rows, limit: page.limit)
    }

    public static func delete(_ c: PostgresConnection, tenantID: UUID, id: UUID, logger: Logger) async throws -> Bool {
        var found = false
        for try await _ in try await c.query(
            "DELETE FROM agent_groups WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: logger).decode(UUID.self) {
            found = true
        }
        return found
    }
}
