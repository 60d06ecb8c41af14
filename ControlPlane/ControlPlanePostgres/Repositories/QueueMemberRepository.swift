import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum QueueMemberRepository {
    /// Members of `queueID`, in the order given; nil when the queue does not exist in the tenant.
    public static func list(_ tx: Transaction, tenantID: UUID, queueID: UUID) async throws -> [QueueMemberRecord]? {
        guard try await QueueRepository.get(tx, tenantID: tenantID, id: queueID) != nil else { return nil }
        return try await members(tx, tenantID: tenantID)[queueID] ?? []
    }

    /// Every queue's members in a tenant.
    public static func members(_ tx: Transaction, tenantID: UUID) async throws -> [UUID: [QueueMemberRecord]] {
        var result: [UUID: [QueueMemberRecord]] = [:]
        for try await (queue, agent, group, tier, weight) in try await tx.query("""
            SELECT queue_id, agent_id, group_id, tier::int8, weight::int8 FROM queue_members
            WHERE tenant_id = \(tenantID) ORDER BY queue_id, position
            """).decode((UUID, UUID?, UUID?, Int64, Int64).self) {
            result[queue, default: []].append(QueueMemberRecord(agentID: agent, groupID: group, tier: Int(tier), weight: Int(weight)))
        }
        return result
    }

    public enum ReplaceOutcome: Sendable, Equatable {
        case replaced
        case noSuchQueue
        /// Indexes of members naming an agent or group the tenant does not have.
        case unknownReferences([Int])
    }

    /// Replaces the members of `queueID` (one transaction with the caller's).
    public static func replace(_ tx: Transaction, tenantID: UUID, queueID: UUID, members: [QueueMemberRecord]) async throws -> ReplaceOutcome {
        guard try await QueueRepository.get(tx, tenantID: tenantID, id: queueID) != nil else { return .noSuchQueue }
        var agents = Set<UUID>(), groups = Set<UUID>()
        for try await id in try await tx.query("SELECT id FROM agents WHERE tenant_id = \(tenantID)").decode(UUID.self) {
            agents.insert(id)
        }
        for try await id in try await tx.query("SELECT id FROM agent_groups WHERE tenant_id = \(tenantID)").decode(UUID.self) {
            groups.insert(id)
        }
        let unknown = members.indices.filter { i in
            if let a = members[i].agentID { return !agents.contains(a) }
            if let g = members[i].groupID { return !groups.contains(g) }
            return true
        }
        guard unknown.isEmpty else { return .unknownReferences(unknown) }
        try await tx.query("DELETE FROM queue_members WHERE tenant_id = \(tenantID) AND queue_id = \(queueID)")
        for (position, m) in members.enumerated() {
            try await tx.query("""
                INSERT INTO queue_members (tenant_id, queue_id, position, agent_id, group_id, tier, weight)
                VALUES (\(tenantID), \(queueID), \(position), \(m.agentID), \(m.groupID), \(m.tier), \(m.weight))
                """)
        }
        return .replaced
    }
}
