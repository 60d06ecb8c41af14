import Foundation

/// A queue member: an agent or an agent group, with tier and weight.
public struct QueueMemberRecord: Sendable, Equatable {
    public var agentID: UUID?
    public var groupID: UUID?
    public var tier: Int
    public var weight: Int

    public init(agentID: UUID?, groupID: UUID?, tier: Int, weight: Int) {
        self.agentID = agentID; self.groupID = groupID; self.tier = tier; self.weight = weight
    }
}
