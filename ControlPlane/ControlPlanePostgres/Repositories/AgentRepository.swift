import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum AgentRepository {
    static let columns = "id, tenant_id, user_id, name, extension, sip_username, created_at"

    static func decode(_ tx: Transaction, _ rows: PostgresRowSequence) async throws -> [(item: AgentRecord, micros: Int64, id: UUID)] {
        var result: [(item: AgentRecord, micros: Int64, id: UUID)] = []
        for try await (id, tenant, user, name, ext, sip, created, micros) in rows.decode(
            (UUID, UUID, UUID?, String, String, String, Date, Int64).self) {
            result.append((AgentRecord(id: id, tenantID: tenant, userID: user, name: name, phoneExtension: ext,
                                       sipUsername: sip, skills: [], createdAt: created), micros, id))
        }
        guard !result.isEmpty else { return result }
        var skills: [UUID: [AgentSkillLevel]] = [:]
        let ids = result.map(\.id)
        for try await (agent, skill, level) in try await tx.query("""
            SELECT agent_id, skill_id, level::int8 FROM agent_skills WHERE agent_id = ANY(\(ids)) ORDER BY skill_id
            """).decode((UUID, UUID, Int64).self) {
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

    public static func insert(_ tx: Transaction, _ a: AgentRecord, credentials: SIPCredentials) async throws {
        try await QuotaRepository.reserve(tx, tenantID: a.tenantID, .agents)
        try await mapConflicts(conflictDetail(a)) {
            try await tx.query("""
                INSERT INTO agents (id, tenant_id, user_id, name, extension, sip_username, ha1_md5, ha1_sha256, created_at)
                VALUES (\(a.id), \(a.tenantID), \(a.userID), \(a.name), \(a.phoneExtension), \(a.sipUsername),
                        \(credentials.ha1MD5), \(credentials.ha1SHA256), \(a.createdAt))
                """)
        }
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> AgentRecord? {
        try await decode(tx, tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM agents WHERE tenant_id = \(tenantID) AND id = \(id)
            """)).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<AgentRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx, tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM agents WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func update(_ tx: Transaction, tenantID: UUID, id: UUID, name: String?, phoneExtension: String?,
                              userID: UUID?) async throws -> AgentRecord? {
        let probe = AgentRecord(id: id, tenantID: tenantID, userID: userID, name: name ?? "", phoneExtension: phoneExtension ?? "",
                                sipUsername: "", skills: [], createdAt: Date())
        return try await mapConflicts(conflictDetail(probe)) {
            try await decode(tx, tx.query("""
                UPDATE agents SET name = coalesce(\(name), name), extension = coalesce(\(phoneExtension), extension),
                       user_id = coalesce(\(userID), user_id), updated_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id)
                RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
                """)).first?.item
        }
    }

    public static func setCredentials(_ tx: Transaction, tenantID: UUID, id: UUID, credentials: SIPCredentials) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query("""
            UPDATE agents SET ha1_md5 = \(credentials.ha1MD5), ha1_sha256 = \(credentials.ha1SHA256), updated_at = now()
            WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
            """).decode(UUID.self) { found = true }
        return found
    }

    /// Replaces the agent's skills. Every skill id must belong to the tenant (else 422 naming it).
    public static func setSkills(_ tx: Transaction, tenantID: UUID, id: UUID, skills: [AgentSkillLevel]) async throws {
        let ids = skills.map(\.skillID)
        var known = Set<UUID>()
        for try await skill in try await tx.query(
            "SELECT id FROM skills WHERE tenant_id = \(tenantID) AND id = ANY(\(ids))").decode(UUID.self) {
            known.insert(skill)
        }
        if let (index, missing) = skills.enumerated().first(where: { !known.contains($0.element.skillID) }).map({ ($0.offset, $0.element) }) {
            throw ControlPlaneError.invalid("[\(index)].skillId", "skill \(missing.skillID) does not exist in your tenant")
        }
        try await tx.query("DELETE FROM agent_skills WHERE tenant_id = \(tenantID) AND agent_id = \(id)")
        for skill in skills {
            try await tx.query("""
                INSERT INTO agent_skills (tenant_id, agent_id, skill_id, level) VALUES (\(tenantID), \(id), \(skill.skillID), \(Int16(skill.level)))
                """)
        }
    }

    public static func delete(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query(
            "DELETE FROM agents WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id").decode(UUID.self) {
            found = true
        }
        return found
    }
}
