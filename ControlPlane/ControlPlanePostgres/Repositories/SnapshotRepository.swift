import CallCenterModel
import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum SnapshotRepository {
    public static func snapshot(_ tx: Transaction, tenant: TenantRecord) async throws -> TenantSnapshotRecord {
        let id = tenant.id
        var skills: [String] = []
        for try await name in try await tx.query("SELECT name FROM skills WHERE tenant_id = \(id) ORDER BY name").decode(String.self) { skills.append(name) }
        var numbers: [PhoneNumberRecord] = []
        var cursor: String?
        repeat {
            let page = try await PhoneNumberRepository.list(tx, tenantID: id, page: try PageRequest(limit: 200, cursor: cursor))
            numbers += page.items
            cursor = page.nextCursor
        } while cursor != nil
        var queues: [QueueRecord] = []
        repeat {
            let page = try await QueueRepository.list(tx, tenantID: id, page: try PageRequest(limit: 200, cursor: cursor))
            queues += page.items
            cursor = page.nextCursor
        } while cursor != nil

        var skillLevels: [UUID: [(String, Int)]] = [:]
        for try await (agent, skill, level) in try await tx.query("""
            SELECT a.agent_id, s.name, a.level::int8 FROM agent_skills a JOIN skills s ON s.id = a.skill_id
            WHERE a.tenant_id = \(id) ORDER BY s.name
            """).decode((UUID, String, Int64).self) {
            skillLevels[agent, default: []].append((skill, Int(level)))
        }
        var groups: [UUID: [UUID]] = [:]
        for try await (agent, group) in try await tx.query(
            "SELECT agent_id, group_id FROM agent_group_members WHERE tenant_id = \(id) ORDER BY group_id").decode((UUID, UUID).self) {
            groups[agent, default: []].append(group)
        }
        var agents: [TenantSnapshotRecord.Agent] = []
        for try await (agentID, user, name, ext, sip, md5, sha) in try await tx.query("""
            SELECT id, user_id, name, extension, sip_username, ha1_md5, ha1_sha256 FROM agents WHERE tenant_id = \(id) ORDER BY extension
            """).decode((UUID, UUID?, String, String, String, String, String).self) {
            agents.append(.init(id: agentID, userID: user, name: name, phoneExtension: ext, sipUsername: sip, ha1MD5: md5,
                                ha1SHA256: sha, skills: (skillLevels[agentID] ?? []).map { (skill: $0.0, level: $0.1) },
                                groupIDs: groups[agentID] ?? []))
        }
        var aliases: [TenantSnapshotRecord.Alias] = []
        for try await (alias, flow, version, definition) in try await tx.query("""
            SELECT a.alias, a.flow_name, a.version::int8, v.definition::text FROM ivr_aliases a
            JOIN ivr_flow_versions v ON v.tenant_id = a.tenant_id AND v.flow_name = a.flow_name AND v.version = a.version
            WHERE a.tenant_id = \(id) ORDER BY a.alias
            """).decode((String, String, Int64, String).self) {
            aliases.append(.init(alias: alias, flowName: flow, version: Int(version), definition: definition))
        }
        let members = try await QueueMemberRepository.members(tx, tenantID: id)
        return TenantSnapshotRecord(tenant: tenant, skills: skills, numbers: numbers, queues: queues, members: members,
                                    agents: agents, aliases: aliases,
                                    prompts: try await PromptRepository.list(tx, tenantID: id))
    }
}
