import Foundation

/// A tenant's call detail records, as the CDR use cases need them (inside the caller's transaction).
public protocol CDRStore: Sendable {
    /// The matching records' documents (JSON, as the node sent them), newest first.
    func list(filter: CDRFilter, page: PageRequest) async throws -> Page<String>
}

/// A tenant's call detail records (written by the nodes over the node channel).
public struct CDRUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, filter: CDRFilter, page: PageRequest) async throws -> Page<String> {
        try await work.inTenant(tenantID) { try await $0.cdrs.list(filter: filter, page: page) }
    }
}
