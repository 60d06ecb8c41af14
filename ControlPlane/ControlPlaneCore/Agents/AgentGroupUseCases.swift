import Foundation

/// A tenant's agent groups, as the group use cases need them (inside the caller's transaction).
public protocol AgentGroupStore: Sendable {
    func list(page: PageRequest) async throws -> Page<AgentGroupRecord>
    func get(id: UUID) async throws -> AgentGroupRecord?
    /// Inserts (`insert`) or replaces the group and its members; nil when there is no group to
    /// replace. Throws `.invalid("agentIds[i]")` for an agent the tenant does not have and
    /// `.conflict` when the name is taken.
    func upsert(_ group: AgentGroupRecord, insert: Bool) async throws -> AgentGroupRecord?
    func delete(id: UUID) async throws -> Bool
}

/// The agent groups of a tenant: named sets of agents that queues take as members.
///
/// The agent ids come from the wire and are parsed by the caller after the name is checked (an
/// autoclosure), so an invalid name is reported before a malformed id, as before.
public struct AgentGroupUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<AgentGroupRecord> {
        try await work.inTenant(tenantID) { try await $0.agentGroups.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> AgentGroupRecord {
        guard let group = try await work.inTenant(tenantID, { try await $0.agentGroups.get(id: id) }) else {
            throw ControlPlaneError.notFound("agent group")
        }
        return group
    }

    public func create(tenantID: UUID, name: String, agentIDs: @autoclosure () throws -> [UUID], now: Date = Date()) async throws -> AgentGroupRecord {
        let group = try Self.record(id: UUID(), name: name, agentIDs: agentIDs, now: now)
        guard let created = try await work.inTenant(tenantID, { try await $0.agentGroups.upsert(group, insert: true) }) else {
            throw ControlPlaneError.notFound("agent group")
        }
        return created
    }

    public func replace(tenantID: UUID, id: UUID, name: String, agentIDs: @autoclosure () throws -> [UUID], now: Date = Date()) async throws -> AgentGroupRecord {
        let group = try Self.record(id: id, name: name, agentIDs: agentIDs, now: now)
        guard let replaced = try await work.inTenant(tenantID, { try await $0.agentGroups.upsert(group, insert: false) }) else {
            throw ControlPlaneError.notFound("agent group")
        }
        return replaced
    }

    public func delete(tenantID: UUID, id: UUID) async throws {
        guard try await work.inTenant(tenantID, { try await $0.agentGroups.delete(id: id) }) else {
            throw ControlPlaneError.notFound("agent group")
        }
    }

    static func record(id: UUID, name: String, agentIDs: () throws -> [UUID], now: Date) throws -> AgentGroupRecord {
        try InputValidation.check([InputValidation.text(name, field: "name", max: 100)])
        return AgentGroupRecord(id: id, name: name, agentIDs: try agentIDs(), createdAt: now)
    }
}
