import ControlPlaneCore
import Foundation

/// The calling tenant's own row, over one tenant-scoped transaction.
struct PostgresTenantSettingsStore: TenantSettingsStore {
    let tx: Transaction
    let tenantID: UUID

    func get() async throws -> TenantRecord? { try await TenantRepository.get(tx, id: tenantID) }
    func update(_ u: TenantUpdate) async throws -> TenantRecord? {
        try await TenantRepository.update(tx, id: tenantID, .init(name: u.name, contactEmail: u.contactEmail, timezone: u.timezone,
                                                                 defaultLanguage: u.defaultLanguage, allowMD5Digest: u.allowMD5Digest))
    }
}
