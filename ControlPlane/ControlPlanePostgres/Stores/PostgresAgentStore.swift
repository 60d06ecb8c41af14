import ControlPlaneCore
import Foundation

/// The agent store over the agent, agent-command, tenant and user repositories, bound to one
/// tenant transaction.
struct PostgresAgentStore: AgentStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<AgentRecord> { try await AgentRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> AgentRecord? { try await AgentRepository.get(tx, tenantID: tenantID, id: id) }
    func insert(_ agent: AgentRecord, credentials: SIPCredentials) async throws {
        try await AgentRepository.insert(tx, agent, credentials: credentials)
    }
    func update(id: UUID, name: String?, phoneExtension: String?, userID: UUID?) async throws -> AgentRecord? {
        try await AgentRepository.update(tx, tenantID: tenantID, id: id, name: name, phoneExtension: phoneExtension, userID: userID)
    }
    func setCredentials(id: UUID, credentials: SIPCredentials) async throws -> Bool {
        try await AgentRepository.setCredentials(tx, tenantID: tenantID, id: id, credentials: credentials)
    }
    func setSkills(id: UUID, skills: [AgentSkillLevel]) async throws {
        try await AgentRepository.setSkills(tx, tenantID: tenantID, id: id, skills: skills)
    }
    func delete(id: UUID) async throws -> Bool { try await AgentRepository.delete(tx, tenantID: tenantID, id: id) }
    func sipDomain() async throws -> String? { try await TenantRepository.get(tx, id: tenantID)?.sipDomain }
    func userExists(id: UUID) async throws -> Bool { try await UserRepository.get(tx, tenantID: tenantID, id: id) != nil }
    func createCommand(agentID: UUID, state: AgentRequestedState, reason: String?, requestedBy: UUID?) async throws -> AgentCommandRecord? {
        try await AgentCommandRepository.create(tx, tenantID: tenantID, agentID: agentID, state: state.rawValue, reason: reason,
                                                requestedBy: requestedBy)
    }
    func command(id: UUID) async throws -> AgentCommandRecord? { try await AgentCommandRepository.get(tx, tenantID: tenantID, id: id) }
}
