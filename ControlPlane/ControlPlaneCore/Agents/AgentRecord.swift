import Foundation

public struct AgentSkillLevel: Sendable, Equatable {
    public var skillID: UUID
    public var level: Int
    public init(skillID: UUID, level: Int) { self.skillID = skillID; self.level = level }
}

public struct AgentRecord: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var userID: UUID?
    public var name: String
    public var phoneExtension: String
    public var sipUsername: String
    public var skills: [AgentSkillLevel]
    public var createdAt: Date

    public init(id: UUID, tenantID: UUID, userID: UUID?, name: String, phoneExtension: String, sipUsername: String,
                skills: [AgentSkillLevel], createdAt: Date) {
        self.id = id; self.tenantID = tenantID; self.userID = userID; self.name = name
        self.phoneExtension = phoneExtension; self.sipUsername = sipUsername; self.skills = skills; self.createdAt = createdAt
    }
}

public struct SkillRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var description: String
    public var createdAt: Date
    public init(id: UUID, name: String, description: String, createdAt: Date) {
        self.id = id; self.name = name; self.description = description; self.createdAt = createdAt
    }
}

public struct AgentGroupRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var agentIDs: [UUID]
    public var createdAt: Date
    public init(id: UUID, name: String, agentIDs: [UUID], createdAt: Date) {
        self.id = id; self.name = name; self.agentIDs = agentIDs; self.createdAt = createdAt
    }
}
