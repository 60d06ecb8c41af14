import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum AgentRepository {
    static let columns = "id, tenant_id, user_id, name, extension, sip_username, created_at"

    static func decode(_ c: PostgresConnection, _ rows: PostgresRowSequence,
                       logger: Logger) async throws -> [(item: AgentRecord, micros: Int64, id: UUID)] {
        var result: [(item: AgentRecord, micros: Int64, id: UUID)] = []
        for try await (id, tenant, user, name, ext, sip, created, micros) in rows.decode(
            (UUID, UUID, UUID?, String, String, String, Date, Int64).self) {
            result.append((AgentRecord(id: id, tenantID: tenant, userID: user, name: name, phoneExtension: ext,
                                       sipUsername: sip, skills: [], createdAt: created), micros, id))
        }
        guard !result.isEmpty else { return result }
        var skills: [UUID: [AgentSkillLevel]] = [:]
        let ids = result.map(\.id)
        for try await (agent, skill, level) in try await c.query("""
            SELECT agent_id, skill_id, level::int8 FROM agent_skills WHERE agent_id = ANY(\(ids)) ORDER BY skill_id
            """, logger: logger).decode((UUID, UUID, Int64).self) {
            skills[agent, default: []].append(AgentSkillLevel(skillID: skill, level: Int(level)))
        }
        for index in result.indices { result[index].item.skills = skills[result[index].id] ?? [] }
        return result
    }

    static func conflictDetail(_ a: AgentRecord) -> (String?) -> String {
        { name in
            switch name {
            case "agents_tenant_id_extension_key": "Extension \(a.phoneExtension) is already used by another agent."
            case "agents_tenant_id_sip_username_key": "SIP username '\(a.sipUsername)' is already used by another agent."
            default: "The agent conflicts with an existing one."
            }
        }
    }

    public static func insert(_ c: PostgresConnection, _ a: AgentRecord, credentials: SIPCredentials, logger: Logger) async throws {
        try await QuotaRepository.reserve(c, tenantID: a.tenantID, .agents, logger: logger)
        try await mapConflicts(conflictDetail(a)) {
            try await c.query("""
                INSERT INTO agents (id, tenant_id, user_id, name, extension, sip_username, ha1_md5, ha1_sha256, created_at)
                VALUES (\(a.id), \(a.tenantID), \(a.userID), \(a.name), \(a.phoneExtension), \(a.sipUsername),
                        \(credentials.ha1MD5), \(credentials.ha1SHA256), \(a.createdAt))
                """, logger: logger)
        }
    }

    public static func get(_ c: PostgresConnection, tenantID: UUID, id: UUID, logger: Logger) async throws -> AgentRecord? {
        try await decode(c, c.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM agents WHERE tenant_id = \(tenantID) AND id = \(id)
            """, logger: logger), logger: logger).first?.item
    }

    public static func list(_ c: PostgresConnection, tenantID: UUID, page: PageRequest, logger: Logger) async throws -> Page<AgentRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(c, c.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM agents WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """, logger: logger), logger: logger)
        return Paging.page(rows, limit: page.limit)
    }

    public static func update(_ c: PostgresConnection, tenantID: UUID, id: UUID, name: String?, phoneExtension: String?,
                              userID: UUID?, logger: Logger) async throws -> AgentRecord? {
        let probe = AgentRecord(id: id, tenantID: tenantID, userID: userID, name: name ?? "", phoneExtension: phoneExtension ?? "",
                                sipUsername: "", skills: [], createdAt: Date())
        return try await mapConflicts(conflictDetail(probe)) {
            try await decode(c, c.query("""
                UPDATE agents SET name = coalesce(\(name), name), extension = coalesce(\(phoneExtension), extension),
                       user_id = coalesce(\(userID), user_id), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
                """, logger: logger), logger: logger).first?.item
        }
    }

    public static func setCredentials(_ c: PostgresConnection, tenantID: UUID, id: UUID, credentials: SIPCredentials,
                                      logger: Logger) async throws -> Bool {
        var found = false
        for try await _ in try await c.query("""
            UPDATE agents SET ha1_md5 = \(credentials.ha1MD5), ha1_sha256 = \(credentials.ha1SHA256), updated_at = now()
            WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
            """, logger: logger).decode(UUID.self) { found = true }
        return found
    }

    /// Replaces the agent's skills. Every skill id must belong to the tenant (else 422 naming it).
    public static func setSkills(_ c: PostgresConnection, tenantID: UUID, id: UUID, skills: [AgentSkillLevel],
                                 logger: Logger) async throws {
        let ids = skills.map(\.skillID)
        var known = Set<UUID>()
        for try await skill in try await c.query(
            "SELECT id FROM skills WHERE tenant_id = \(tenantID) AND id = ANY(\(ids))", logger: logger).decode(UUID.self) {
            known.insert(skill)
        }
        if let (index, missing) = skills.enumerated().first(where: { !known.contains($0.element.skillID) }).map({ ($0.offset, $0.element) }) {
            throw ControlPlaneError.invalid("[\(index)].skillId", "skill \(missing.skillID) does not exist in your tenant")
        }
        try await c.query("DELETE FROM agent_skills WHERE tenant_id = \(tenantID) AND agent_id = \(id)", logger: logger)
        for skill in skills {
            try await c.query("""
                INSERT INTO agent_skills (tenant_id, agent_id, skill_id, level) VALUES (\(tenantID), \(id), \(skill.skillID), \(Int16(skill.level)))
                """, logger: logger)
        }
    }

    public static func delete(_ c: PostgresConnection, tenantID: UUID, id: UUID, logger: Logger) async throws -> Bool {
        var found = false
        for try await _ in try await c.query(
            "DELETE FROM agents WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id", logger: logger).decode(UUID.self) {
            found = true
        }
        return found
    }
}
