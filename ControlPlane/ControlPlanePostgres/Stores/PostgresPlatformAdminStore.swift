import ControlPlaneCore
import Foundation

/// The platform-staff store: the tenant, number, node, placement and bootstrap-token repositories,
/// bound to one platform-scope transaction.
struct PostgresPlatformAdminStore: PlatformAdminStore {
    let tx: Transaction

    func listTenants(page: PageRequest) async throws -> Page<TenantRecord> { try await TenantRepository.list(tx, page: page) }
    func setTenantStatus(id: UUID, status: TenantStatus) async throws -> TenantRecord? {
        try await TenantRepository.setStatus(tx, id: id, status: status)
    }
    func setTenantLimits(id: UUID, _ limits: TenantLimits) async throws -> TenantRecord? {
        try await TenantRepository.setLimits(tx, id: id, limits)
    }

    func listNumbers(page: PageRequest) async throws -> Page<PhoneNumberRecord> {
        try await PhoneNumberRepository.list(tx, tenantID: nil, page: page)
    }
    func getNumber(id: UUID) async throws -> PhoneNumberRecord? { try await PhoneNumberRepository.get(tx, tenantID: nil, id: id) }
    func insertNumber(id: UUID, e164: String) async throws -> PhoneNumberRecord {
        try await PhoneNumberRepository.insert(tx, id: id, e164: e164)
    }
    func allocateNumber(id: UUID, tenantID: UUID?) async throws -> PhoneNumberRecord? {
        try await PhoneNumberRepository.allocate(tx, id: id, tenantID: tenantID)
    }

    func listNodes(page: PageRequest) async throws -> Page<NodeRecord> { try await NodeRepository.list(tx, page: page) }
    func getNode(id: UUID) async throws -> NodeRecord? { try await NodeRepository.get(tx, id: id) }
    func removeNode(id: UUID) async throws -> Bool { try await NodeRepository.remove(tx, id: id) }
    func setNodeAdminState(id: UUID, state: NodeAdminState) async throws -> NodeRecord? {
        try await NodeRepository.setAdminState(tx, id: id, state: state)
    }

    func placement(tenantID: UUID) async throws -> PlacementRecord? { try await PlacementRepository.placement(tx, tenantID: tenantID) }
    func moveTenant(id: UUID, toNode nodeID: UUID) async throws -> TenantMoveOutcome {
        switch try await PlacementRepository.move(tx, tenantID: id, nodeID: nodeID) {
        case .moved(let placement): .moved(placement)
        case .noSuchTenant: .noSuchTenant
        case .noSuchNode: .noSuchNode
        case .nodeUnavailable(let why): .nodeUnavailable(why)
        }
    }

    func listBootstrapTokens(page: PageRequest) async throws -> Page<BootstrapTokenRecord> {
        try await BootstrapTokenRepository.list(tx, page: page)
    }
    func getBootstrapToken(id: UUID) async throws -> BootstrapTokenRecord? { try await BootstrapTokenRepository.get(tx, id: id) }
    func insertBootstrapToken(_ record: BootstrapTokenRecord, token: BearerToken, createdBy: UUID?) async throws {
        try await BootstrapTokenRepository.insert(tx, record, token: token, createdBy: createdBy)
    }
    func revokeBootstrapToken(id: UUID) async throws -> Bool { try await BootstrapTokenRepository.revoke(tx, id: id) }
}
