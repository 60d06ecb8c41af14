import ControlPlaneCore
import Foundation

/// The agent-group store over `AgentGroupRepository`, bound to one tenant transaction.
struct PostgresAgentGroupStore: AgentGroupStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<AgentGroupRecord> { try await AgentGroupRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> AgentGroupRecord? { try await AgentGroupRepository.get(tx, tenantID: tenantID, id: id) }
    func upsert(_ group: AgentGroupRecord, insert: Bool) async throws -> AgentGroupRecord? {
        try await AgentGroupRepository.upsert(tx, tenantID: tenantID, group, insert: insert)
    }
    func delete(id: UUID) async throws -> Bool { try await AgentGroupRepository.delete(tx, tenantID: tenantID, id: id) }
}
