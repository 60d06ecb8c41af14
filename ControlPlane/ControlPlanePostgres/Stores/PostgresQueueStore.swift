import CallCenterModel
import ControlPlaneCore
import Foundation

/// The queue store over `QueueRepository` and `QueueMemberRepository`, bound to one tenant transaction.
struct PostgresQueueStore: QueueStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<QueueRecord> { try await QueueRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> QueueRecord? { try await QueueRepository.get(tx, tenantID: tenantID, id: id) }
    func insert(_ queue: QueueRecord) async throws { try await QueueRepository.insert(tx, tenantID: tenantID, queue) }
    func replace(id: UUID, name: String, config: QueueConfiguration) async throws -> QueueRecord? {
        try await QueueRepository.replace(tx, tenantID: tenantID, id: id, name: name, config: config)
    }
    func delete(id: UUID) async throws -> Bool { try await QueueRepository.delete(tx, tenantID: tenantID, id: id) }
    func skillNames() async throws -> Set<String> { try await QueueRepository.skillNames(tx, tenantID: tenantID) }
    func members(queueID: UUID) async throws -> [QueueMemberRecord]? {
        try await QueueMemberRepository.list(tx, tenantID: tenantID, queueID: queueID)
    }
    func replaceMembers(queueID: UUID, members: [QueueMemberRecord]) async throws -> QueueMembersReplacement {
        switch try await QueueMemberRepository.replace(tx, tenantID: tenantID, queueID: queueID, members: members) {
        case .replaced: .replaced
        case .noSuchQueue: .noSuchQueue
        case .unknownReferences(let indexes): .unknownReferences(indexes)
        }
    }
}
