import ControlPlaneCore
import Foundation

/// A tenant's users over one tenant-scoped transaction.
struct PostgresUserStore: UserStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<UserRecord> { try await UserRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID, forUpdate: Bool) async throws -> UserRecord? {
        try await UserRepository.get(tx, tenantID: tenantID, id: id, forUpdate: forUpdate)
    }
    func insert(_ user: UserRecord, passwordHash: String) async throws { try await UserRepository.insert(tx, user, passwordHash: passwordHash) }
    func update(id: UUID, name: String?, role: Role?, passwordHash: String?) async throws -> UserRecord? {
        try await UserRepository.update(tx, tenantID: tenantID, id: id, name: name, role: role, passwordHash: passwordHash)
    }
    func delete(id: UUID) async throws -> Bool { try await UserRepository.delete(tx, tenantID: tenantID, id: id) }
    func adminCount() async throws -> Int { try await UserRepository.adminCount(tx, tenantID: tenantID) }
    func revokeSessions(userID: UUID) async throws { try await SessionRepository.revokeAll(tx, userID: userID) }
}
