import ControlPlaneCore
import Foundation

/// Sign-up's writes over one platform-scope transaction.
struct PostgresSignupStore: SignupStore {
    let tx: Transaction

    func insertTenant(_ tenant: TenantRecord) async throws { try await TenantRepository.insert(tx, tenant) }
    func insertUser(_ user: UserRecord, passwordHash: String) async throws {
        try await UserRepository.insert(tx, user, passwordHash: passwordHash)
    }
    func insertAPIKey(_ key: APIKeyRecord, secretHash: [UInt8], createdBy: UUID?) async throws {
        try await APIKeyRepository.insert(tx, key, secretHash: secretHash, createdBy: createdBy)
    }
}
