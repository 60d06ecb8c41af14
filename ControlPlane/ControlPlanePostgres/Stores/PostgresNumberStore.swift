import ControlPlaneCore
import Foundation

/// The number store over `PhoneNumberRepository`, bound to one tenant transaction.
struct PostgresNumberStore: NumberStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<PhoneNumberRecord> { try await PhoneNumberRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> PhoneNumberRecord? { try await PhoneNumberRepository.get(tx, tenantID: tenantID, id: id) }
    func setRoute(id: UUID, route: NumberRoute) async throws -> PhoneNumberRecord? {
        try await PhoneNumberRepository.setRoute(tx, tenantID: tenantID, id: id, route: route)
    }
}
