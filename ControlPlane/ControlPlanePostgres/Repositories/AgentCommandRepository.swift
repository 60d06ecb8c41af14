import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Agent state commands: created in tenant scope, delivered and completed in platform scope for the
/// node that homes the tenant (never across tenants it does not home).
public enum AgentCommandRepository {
    static let columns = "id, tenant_id, agent_id, state, reason, status, detail, node_id, created_at, completed_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [AgentCommandRecord] {
        var result: [AgentCommandRecord] = []
        for try await (id, tenant, agent, state, reason, status, detail, node, created, completed) in rows.decode(
            (UUID, UUID, UUID, String, String?, String, String?, UUID?, Date, Date?).self) {
            result.append(AgentCommandRecord(id: id, tenantID: tenant, agentID: agent, state: state, reason: reason, status: status,
                                             detail: detail, nodeID: node, createdAt: created, completedAt: completed))
        }
        return result
    }

    /// Records a request (tenant scope). Nil if the agent is not the tenant's.
    public static func create(_ tx: Transaction, tenantID: UUID, agentID: UUID, state: String, reason: String?,
                              requestedBy: UUID?) async throws -> AgentCommandRecord? {
        let id = UUID()
        return try await decode(tx.query("""
            INSERT INTO agent_commands (id, tenant_id, agent_id, state, reason, requested_by)
            SELECT \(id), \(tenantID), a.id, \(state), \(reason), \(requestedBy) FROM agents a
             WHERE a.id = \(agentID) AND a.tenant_id = \(tenantID)
            RETURNING \(unescaped: columns)
            """)).first
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> AgentCommandRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns) FROM agent_commands WHERE id = \(id) AND tenant_id = \(tenantID)
            """)).first
    }

    /// Hands the node the open commands of the tenants it homes (platform scope), oldest first, and
    /// marks them delivered to it. A command delivered to another node (the tenant moved) is handed
    /// again: the new home is the one that must apply it; so is one delivered more than
    /// `redeliverAfterSeconds` ago without a result (the node died between receiving and reporting).
    public static func deliver(_ tx: Transaction, nodeID: UUID, limit: Int = 100, redeliverAfterSeconds: Int = 60) async throws -> [AgentCommandRecord] {
        try await decode(tx.query("""
            UPDATE agent_commands SET status = 'delivered', node_id = \(nodeID), delivered_at = now()
             WHERE id IN (SELECT ac.id FROM agent_commands ac JOIN tenant_placements p ON p.tenant_id = ac.tenant_id
                           WHERE p.node_id = \(nodeID)
                             AND (ac.status = 'pending'
                                  OR (ac.status = 'delivered' AND (ac.node_id IS DISTINCT FROM \(nodeID)
                                      OR ac.delivered_at < now() - make_interval(secs => \(redeliverAfterSeconds)))))
                           ORDER BY ac.created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: columns)
            """)).sorted { $0.createdAt < $1.createdAt }
    }

    /// The node reports the outcome of a command delivered to it. False if it is not that node's.
    public static func complete(_ tx: Transaction, nodeID: UUID, id: UUID, applied: Bool, detail: String?) async throws -> Bool {
        try await decode(tx.query("""
            UPDATE agent_commands SET status = \(applied ? "applied" : "failed"), detail = \(detail), completed_at = now()
             WHERE id = \(id) AND node_id = \(nodeID) AND status IN ('delivered', 'applied', 'failed')
            RETURNING \(unescaped: columns)
            """)).count == 1
    }
}
