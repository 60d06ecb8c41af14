import CallCenterModel
import Foundation

/// A tenant's queues and their members, as the queue use cases need them (inside the caller's transaction).
public protocol QueueStore: Sendable {
    func list(page: PageRequest) async throws -> Page<QueueRecord>
    func get(id: UUID) async throws -> QueueRecord?
    /// Reserves one of the tenant's `queues` quota (409 `quota-exceeded`), then inserts. Throws
    /// `.conflict` when the name is taken.
    func insert(_ queue: QueueRecord) async throws
    /// nil when there is no such queue. Throws `.conflict` when the new name is taken.
    func replace(id: UUID, name: String, config: QueueConfiguration) async throws -> QueueRecord?
    /// Deletes the queue; numbers routed to it are routed nowhere.
    func delete(id: UUID) async throws -> Bool
    /// The names of the tenant's skills (queues require skills by name).
    func skillNames() async throws -> Set<String>
    /// The queue's members in order; nil when there is no such queue.
    func members(queueID: UUID) async throws -> [QueueMemberRecord]?
    func replaceMembers(queueID: UUID, members: [QueueMemberRecord]) async throws -> QueueMembersReplacement
}

/// What became of a request to replace a queue's members.
public enum QueueMembersReplacement: Sendable, Equatable {
    case replaced
    case noSuchQueue
    /// Indexes of members naming an agent or group the tenant does not have.
    case unknownReferences([Int])
}

/// A queue member as sent: ids are checked here (a malformed one is a field problem, not a 400).
public struct QueueMemberInput: Sendable {
    public var agentID: String?
    public var groupID: String?
    public var tier: Int?
    public var weight: Int?

    public init(agentID: String?, groupID: String?, tier: Int?, weight: Int?) {
        self.agentID = agentID; self.groupID = groupID; self.tier = tier; self.weight = weight
    }
}

/// The queues of a tenant. A configuration is checked with the same `QueueConfiguration.validate`
/// the media node's ACD runs, against the tenant's skills, in the transaction that stores it.
///
/// The configuration comes from the wire and is decoded by the caller after the name is checked
/// (an autoclosure), so an invalid name is reported before an undecodable configuration, as before.
public struct QueueUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<QueueRecord> {
        try await work.inTenant(tenantID) { try await $0.queues.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> QueueRecord {
        guard let queue = try await work.inTenant(tenantID, { try await $0.queues.get(id: id) }) else {
            throw ControlPlaneError.notFound("queue")
        }
        return queue
    }

    public func create(tenantID: UUID, name: String, config decode: @autoclosure () throws -> QueueConfiguration,
                       now: Date = Date()) async throws -> QueueRecord {
        try Self.validate(name: name)
        let config = try decode()
        let queue = QueueRecord(id: UUID(), name: name, config: config, createdAt: now, updatedAt: now)
        try await work.inTenant(tenantID) { stores in
            try Self.validate(config, knownSkills: try await stores.queues.skillNames())
            try await stores.queues.insert(queue)
        }
        return queue
    }

    public func replace(tenantID: UUID, id: UUID, name: String, config decode: @autoclosure () throws -> QueueConfiguration) async throws -> QueueRecord {
        try Self.validate(name: name)
        let config = try decode()
        guard let queue = try await work.inTenant(tenantID, { stores in
            try Self.validate(config, knownSkills: try await stores.queues.skillNames())
            return try await stores.queues.replace(id: id, name: name, config: config)
        }) else { throw ControlPlaneError.notFound("queue") }
        return queue
    }

    public func delete(tenantID: UUID, id: UUID) async throws {
        guard try await work.inTenant(tenantID, { try await $0.queues.delete(id: id) }) else {
            throw ControlPlaneError.notFound("queue")
        }
    }

    public func members(tenantID: UUID, queueID: UUID) async throws -> [QueueMemberRecord] {
        guard let members = try await work.inTenant(tenantID, { try await $0.queues.members(queueID: queueID) }) else {
            throw ControlPlaneError.notFound("queue")
        }
        return members
    }

    /// Replaces the queue's members: each names exactly one agent or group of the tenant, once,
    /// with tier 0–9 (default 0) and weight 1–100 (default 1).
    public func replaceMembers(tenantID: UUID, queueID: UUID, members input: [QueueMemberInput]) async throws -> [QueueMemberRecord] {
        var issues: [ValidationIssue] = []
        var members: [QueueMemberRecord] = []
        var seen = Set<String>()
        for (i, m) in input.enumerated() {
            let field = "items.\(i)"
            let agent = m.agentID.flatMap(UUID.init(uuidString:)), group = m.groupID.flatMap(UUID.init(uuidString:))
            if (m.agentID == nil) == (m.groupID == nil) {
                issues.append(ValidationIssue(field: field, message: "name exactly one of agentId and groupId"))
            } else if (m.agentID != nil && agent == nil) || (m.groupID != nil && group == nil) {
                issues.append(ValidationIssue(field: field + (m.agentID != nil ? ".agentId" : ".groupId"), message: "must be a UUID"))
            }
            let tier = m.tier ?? 0, weight = m.weight ?? 1
            if !(0...9).contains(tier) { issues.append(ValidationIssue(field: field + ".tier", message: "must be between 0 and 9")) }
            if !(1...100).contains(weight) { issues.append(ValidationIssue(field: field + ".weight", message: "must be between 1 and 100")) }
            let key = agent.map { "a" + $0.uuidString } ?? group.map { "g" + $0.uuidString } ?? "?\(i)"
            if !seen.insert(key).inserted { issues.append(ValidationIssue(field: field, message: "is listed twice")) }
            members.append(QueueMemberRecord(agentID: agent, groupID: group, tier: tier, weight: weight))
        }
        if !issues.isEmpty { throw ControlPlaneError.validation(issues) }
        let write = members
        switch try await work.inTenant(tenantID, { try await $0.queues.replaceMembers(queueID: queueID, members: write) }) {
        case .replaced:
            return members
        case .noSuchQueue:
            throw ControlPlaneError.notFound("queue")
        case .unknownReferences(let indexes):
            throw ControlPlaneError.validation(indexes.map { i in
                ValidationIssue(field: "items.\(i)", message: members[i].agentID != nil
                                ? "no agent with this id in your tenant" : "no agent group with this id in your tenant")
            })
        }
    }

    static func validate(name: String) throws(ControlPlaneError) {
        try InputValidation.check([InputValidation.text(name, field: "name", max: 100)])
    }

    static func validate(_ config: QueueConfiguration, knownSkills: Set<String>) throws(ControlPlaneError) {
        let issues = config.validate(knownSkills: knownSkills).map { ValidationIssue(field: "config." + $0.field, message: $0.message) }
        if !issues.isEmpty { throw ControlPlaneError.validation(issues) }
    }
}
