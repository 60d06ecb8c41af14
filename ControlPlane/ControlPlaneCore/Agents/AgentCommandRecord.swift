import Foundation

/// A requested agent state change and what became of it.
public struct AgentCommandRecord: Sendable, Hashable {
    public var id: UUID
    public var tenantID: UUID
    public var agentID: UUID
    public var state: String
    public var reason: String?
    public var status: String
    public var detail: String?
    public var nodeID: UUID?
    public var createdAt: Date
    public var completedAt: Date?

    public init(id: UUID, tenantID: UUID, agentID: UUID, state: String, reason: String? = nil, status: String, detail: String? = nil, nodeID: UUID? = nil, createdAt: Date, completedAt: Date? = nil) {
        self.id = id; self.tenantID = tenantID; self.agentID = agentID; self.state = state; self.reason = reason; self.status = status; self.detail = detail; self.nodeID = nodeID; self.createdAt = createdAt; self.completedAt = completedAt
    }
}
