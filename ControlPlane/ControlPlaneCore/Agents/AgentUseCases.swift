import CallCenterModel
import Foundation

/// A tenant's agents and their state commands, as the agent use cases need them (inside the
/// caller's transaction).
public protocol AgentStore: Sendable {
    func list(page: PageRequest) async throws -> Page<AgentRecord>
    func get(id: UUID) async throws -> AgentRecord?
    /// Reserves one of the tenant's `agents` quota (409 `quota-exceeded`), then inserts. Throws
    /// `.conflict` when the extension or SIP username is taken.
    func insert(_ agent: AgentRecord, credentials: SIPCredentials) async throws
    /// Changes what is given; nil when there is no such agent. Throws `.conflict` when the extension is taken.
    func update(id: UUID, name: String?, phoneExtension: String?, userID: UUID?) async throws -> AgentRecord?
    /// False when there is no such agent.
    func setCredentials(id: UUID, credentials: SIPCredentials) async throws -> Bool
    /// Replaces the agent's skills. Throws `.invalid("[i].skillId")` for a skill the tenant does not have.
    func setSkills(id: UUID, skills: [AgentSkillLevel]) async throws
    func delete(id: UUID) async throws -> Bool
    /// The tenant's SIP domain (the digest realm of its agents' credentials); nil when there is no such tenant.
    func sipDomain() async throws -> String?
    func userExists(id: UUID) async throws -> Bool
    /// Records a requested state change; nil when the agent is not the tenant's.
    func createCommand(agentID: UUID, state: AgentRequestedState, reason: String?, requestedBy: UUID?) async throws -> AgentCommandRecord?
    func command(id: UUID) async throws -> AgentCommandRecord?
}

/// The states a supervisor (or admin) can ask an agent's node to put the agent in.
public enum AgentRequestedState: String, Sendable {
    case available
    case onBreak = "break"
    case loggedOut = "logged_out"
}

/// Wakes whoever waits for new agent commands (the nodes' long-polls).
public protocol AgentCommandNotifier: Sendable {
    func notify() async
}

/// An agent with its freshly generated SIP secret, shown once.
public struct ProvisionedAgent: Sendable {
    public var agent: AgentRecord
    public var credentials: SIPCredentials
    public var sipDomain: String
}

/// The agents of a tenant: their phones' SIP credentials, skills and state commands.
///
/// Ids from the wire are parsed by the caller; where a field check used to come first, the id is
/// passed as an autoclosure and parsed after the checks, so a request with both a bad field (422)
/// and a malformed id (400) is answered as before.
public struct AgentUseCases: Sendable {
    let work: any UnitOfWork
    let commands: any AgentCommandNotifier

    public init(work: any UnitOfWork, commands: any AgentCommandNotifier) {
        self.work = work
        self.commands = commands
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<AgentRecord> {
        try await work.inTenant(tenantID) { try await $0.agents.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> AgentRecord {
        guard let agent = try await work.inTenant(tenantID, { try await $0.agents.get(id: id) }) else {
            throw ControlPlaneError.notFound("agent")
        }
        return agent
    }

    public func create(tenantID: UUID, name: String, phoneExtension: String, sipUsername: String,
                       userID parseUserID: @autoclosure () throws -> UUID?, now: Date = Date()) async throws -> ProvisionedAgent {
        try InputValidation.check([
            InputValidation.text(name, field: "name", max: 200),
            InputValidation.phoneExtension(phoneExtension),
            InputValidation.sipUsername(sipUsername),
        ])
        let userID = try parseUserID()
        return try await work.inTenant(tenantID) { stores in
            guard let domain = try await stores.agents.sipDomain() else { throw ControlPlaneError.notFound("tenant") }
            try await Self.checkUser(userID, in: stores.agents)
            let agent = AgentRecord(id: UUID(), tenantID: tenantID, userID: userID, name: name, phoneExtension: phoneExtension,
                                    sipUsername: sipUsername, skills: [], createdAt: now)
            let credentials = SIPCredentials.generate(username: sipUsername, realm: domain)
            try await stores.agents.insert(agent, credentials: credentials)
            return ProvisionedAgent(agent: agent, credentials: credentials, sipDomain: domain)
        }
    }

    public func update(tenantID: UUID, id: UUID, name: String?, phoneExtension: String?,
                       userID parseUserID: @autoclosure () throws -> UUID?) async throws -> AgentRecord {
        try InputValidation.check([
            name.flatMap { InputValidation.text($0, field: "name", max: 200) },
            phoneExtension.flatMap { InputValidation.phoneExtension($0) },
        ])
        let userID = try parseUserID()
        guard let agent = try await work.inTenant(tenantID, { stores in
            try await Self.checkUser(userID, in: stores.agents)
            return try await stores.agents.update(id: id, name: name, phoneExtension: phoneExtension, userID: userID)
        }) else { throw ControlPlaneError.notFound("agent") }
        return agent
    }

    public func delete(tenantID: UUID, id: UUID) async throws {
        guard try await work.inTenant(tenantID, { try await $0.agents.delete(id: id) }) else {
            throw ControlPlaneError.notFound("agent")
        }
    }

    /// New SIP credentials for the agent's phone; the old secret stops working.
    public func rotateSIPSecret(tenantID: UUID, id: UUID) async throws -> ProvisionedAgent {
        try await work.inTenant(tenantID) { stores in
            guard let domain = try await stores.agents.sipDomain(), let agent = try await stores.agents.get(id: id) else {
                throw ControlPlaneError.notFound("agent")
            }
            let credentials = SIPCredentials.generate(username: agent.sipUsername, realm: domain)
            _ = try await stores.agents.setCredentials(id: id, credentials: credentials)
            return ProvisionedAgent(agent: agent, credentials: credentials, sipDomain: domain)
        }
    }

    /// Replaces the agent's skills (levels 1–10, each skill once).
    public func setSkills(tenantID: UUID, id: UUID, skills: [AgentSkillLevel]) async throws -> AgentRecord {
        var issues: [ValidationIssue?] = []
        var seen = Set<UUID>()
        for (index, skill) in skills.enumerated() {
            if !(1...10).contains(skill.level) { issues.append(.init(field: "[\(index)].level", message: "must be between 1 and 10")) }
            if !seen.insert(skill.skillID).inserted { issues.append(.init(field: "[\(index)].skillId", message: "is listed twice")) }
        }
        try InputValidation.check(issues)
        guard let agent = try await work.inTenant(tenantID, { stores in
            guard try await stores.agents.get(id: id) != nil else { return nil as AgentRecord? }
            try await stores.agents.setSkills(id: id, skills: skills)
            return try await stores.agents.get(id: id)
        }) else { throw ControlPlaneError.notFound("agent") }
        return agent
    }

    /// Asks the node that homes the tenant to change the agent's state; a break needs a reason code.
    public func requestState(tenantID: UUID, agentID: UUID, state: AgentRequestedState, reason: String?,
                             requestedBy: UUID?) async throws -> AgentCommandRecord {
        let reason = reason?.trimmingCharacters(in: .whitespaces)
        switch state {
        case .onBreak:
            guard let reason, !reason.isEmpty else {
                throw ControlPlaneError.invalid("reason", "a break needs a reason code (e.g. lunch, training)")
            }
            try InputValidation.check([InputValidation.text(reason, field: "reason", max: 64)])
        case .available, .loggedOut:
            guard reason?.isEmpty ?? true else {
                throw ControlPlaneError.invalid("reason", "only a break takes a reason")
            }
        }
        guard let command = try await work.inTenant(tenantID, {
            try await $0.agents.createCommand(agentID: agentID, state: state, reason: state == .onBreak ? reason : nil,
                                              requestedBy: requestedBy)
        }) else { throw ControlPlaneError.notFound("agent") }
        await commands.notify()
        return command
    }

    public func command(tenantID: UUID, id: UUID) async throws -> AgentCommandRecord {
        guard let command = try await work.inTenant(tenantID, { try await $0.agents.command(id: id) }) else {
            throw ControlPlaneError.notFound("agent command")
        }
        return command
    }

    static func checkUser(_ userID: UUID?, in agents: any AgentStore) async throws {
        if let userID, try await !agents.userExists(id: userID) {
            throw ControlPlaneError.invalid("userId", "user \(userID) does not exist in your tenant")
        }
    }
}
