import ControlPlaneCore
import Foundation

/// A tenant's CDRs over one tenant-scoped transaction.
struct PostgresCDRStore: CDRStore {
    let tx: Transaction
    let tenantID: UUID

    func list(filter: CDRFilter, page: PageRequest) async throws -> Page<String> {
        try await CDRRepository.list(tx, tenantID: tenantID, filter: filter, page: page)
    }
}
