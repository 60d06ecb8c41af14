import ControlPlaneCore
import Foundation

/// A tenant's API keys over one tenant-scoped transaction.
struct PostgresAPIKeyStore: APIKeyStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<APIKeyRecord> { try await APIKeyRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> APIKeyRecord? { try await APIKeyRepository.get(tx, tenantID: tenantID, id: id) }
    func insert(_ key: APIKeyRecord, secretHash: [UInt8], createdBy: UUID?) async throws {
        try await APIKeyRepository.insert(tx, key, secretHash: secretHash, createdBy: createdBy)
    }
    func revoke(id: UUID) async throws -> Bool { try await APIKeyRepository.revoke(tx, tenantID: tenantID, id: id) }
}
