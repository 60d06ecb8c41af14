import Foundation

/// What a media node needs to serve one tenant.
public struct TenantSnapshotRecord: Sendable {
    public struct Agent: Sendable {
        public var id: UUID
        public var userID: UUID?
        public var name: String
        public var phoneExtension: String
        public var sipUsername: String
        public var ha1MD5: String
        public var ha1SHA256: String
        public var skills: [(skill: String, level: Int)]
        public var groupIDs: [UUID]

        public init(id: UUID, userID: UUID? = nil, name: String, phoneExtension: String, sipUsername: String, ha1MD5: String, ha1SHA256: String, skills: [(skill: String, level: Int)], groupIDs: [UUID]) {
            self.id = id; self.userID = userID; self.name = name; self.phoneExtension = phoneExtension; self.sipUsername = sipUsername; self.ha1MD5 = ha1MD5; self.ha1SHA256 = ha1SHA256; self.skills = skills; self.groupIDs = groupIDs
        }
    }
    public struct Alias: Sendable {
        public var alias: String
        public var flowName: String
        public var version: Int
        public var definition: String

        public init(alias: String, flowName: String, version: Int, definition: String) {
            self.alias = alias; self.flowName = flowName; self.version = version; self.definition = definition
        }
    }
    public var tenant: TenantRecord
    public var skills: [String]
    public var numbers: [PhoneNumberRecord]
    public var queues: [QueueRecord]
    /// Queue id → members (absent: every agent serves the queue).
    public var members: [UUID: [QueueMemberRecord]]
    public var agents: [Agent]
    public var aliases: [Alias]
    public var prompts: [PromptRecord] = []

    public init(tenant: TenantRecord, skills: [String], numbers: [PhoneNumberRecord], queues: [QueueRecord], members: [UUID: [QueueMemberRecord]], agents: [Agent], aliases: [Alias], prompts: [PromptRecord] = []) {
        self.tenant = tenant; self.skills = skills; self.numbers = numbers; self.queues = queues; self.members = members; self.agents = agents; self.aliases = aliases; self.prompts = prompts
    }
}
