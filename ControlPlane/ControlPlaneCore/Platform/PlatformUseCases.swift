import Foundation

/// What platform staff read and change across tenants (inside the caller's platform-scope transaction):
/// tenants and their limits, the number inventory, media nodes and placement, node bootstrap tokens.
public protocol PlatformAdminStore: Sendable {
    func listTenants(page: PageRequest) async throws -> Page<TenantRecord>
    /// nil when there is no such tenant.
    func setTenantStatus(id: UUID, status: TenantStatus) async throws -> TenantRecord?
    /// nil when there is no such tenant.
    func setTenantLimits(id: UUID, _ limits: TenantLimits) async throws -> TenantRecord?

    func listNumbers(page: PageRequest) async throws -> Page<PhoneNumberRecord>
    func getNumber(id: UUID) async throws -> PhoneNumberRecord?
    /// Throws `.conflict` when the number is already in the inventory.
    func insertNumber(id: UUID, e164: String) async throws -> PhoneNumberRecord
    /// Allocates the number to `tenantID`, or releases it (nil). nil when there is no such number.
    func allocateNumber(id: UUID, tenantID: UUID?) async throws -> PhoneNumberRecord?

    func listNodes(page: PageRequest) async throws -> Page<NodeRecord>
    func getNode(id: UUID) async throws -> NodeRecord?
    func removeNode(id: UUID) async throws -> Bool
    func setNodeAdminState(id: UUID, state: NodeAdminState) async throws -> NodeRecord?

    func placement(tenantID: UUID) async throws -> PlacementRecord?
    func moveTenant(id: UUID, toNode nodeID: UUID) async throws -> TenantMoveOutcome

    func listBootstrapTokens(page: PageRequest) async throws -> Page<BootstrapTokenRecord>
    func getBootstrapToken(id: UUID) async throws -> BootstrapTokenRecord?
    func insertBootstrapToken(_ record: BootstrapTokenRecord, token: BearerToken, createdBy: UUID?) async throws
    func revokeBootstrapToken(id: UUID) async throws -> Bool
}

/// What became of a request to home a tenant on a node.
public enum TenantMoveOutcome: Sendable, Equatable {
    case moved(PlacementRecord)
    case noSuchTenant
    case noSuchNode
    /// The node cannot take tenants now (why, for the person who asked).
    case nodeUnavailable(String)
}

/// The platform-staff use cases. Authorisation (staff only) is the handler's; these validate and decide.
public struct PlatformUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    // MARK: Tenants

    public func listTenants(page: PageRequest) async throws -> Page<TenantRecord> {
        try await work.inPlatform { try await $0.platformAdmin.listTenants(page: page) }
    }

    public func setTenantStatus(id: UUID, status: TenantStatus) async throws -> TenantRecord {
        guard let tenant = try await work.inPlatform({ try await $0.platformAdmin.setTenantStatus(id: id, status: status) }) else {
            throw ControlPlaneError(.notFound, "No tenant with that id exists.")
        }
        return tenant
    }

    /// `quotas`: the quotas given; those left out stay as they are.
    public func setTenantLimits(id: UUID, maxConcurrentCalls: Int, maxRegistrations: Int,
                                quotas given: [TenantQuota: Int]) async throws -> TenantRecord {
        for (field, value) in [("maxConcurrentCalls", maxConcurrentCalls), ("maxRegistrations", maxRegistrations)]
        where !TenantLimits.range.contains(value) {
            throw ControlPlaneError.invalid(field, "must be between \(TenantLimits.range.lowerBound) and \(TenantLimits.range.upperBound)")
        }
        var quotas: [TenantQuota: Int] = [:]
        for quota in TenantQuota.allCases {
            guard let value = given[quota] else { continue }
            guard quota.range.contains(value) else {
                throw ControlPlaneError.invalid(quota.field, "must be between \(quota.range.lowerBound) and \(quota.range.upperBound)")
            }
            quotas[quota] = value
        }
        let limits = TenantLimits(maxConcurrentCalls: maxConcurrentCalls, maxRegistrations: maxRegistrations, quotas: quotas)
        guard let tenant = try await work.inPlatform({ try await $0.platformAdmin.setTenantLimits(id: id, limits) }) else {
            throw ControlPlaneError(.notFound, "No tenant with that id exists.")
        }
        return tenant
    }

    // MARK: Number inventory

    public func listNumbers(page: PageRequest) async throws -> Page<PhoneNumberRecord> {
        try await work.inPlatform { try await $0.platformAdmin.listNumbers(page: page) }
    }

    public func getNumber(id: UUID) async throws -> PhoneNumberRecord {
        guard let number = try await work.inPlatform({ try await $0.platformAdmin.getNumber(id: id) }) else {
            throw Self.noSuchNumber
        }
        return number
    }

    public func addNumber(e164: String) async throws -> PhoneNumberRecord {
        try InputValidation.check([InputValidation.e164(e164)])
        return try await work.inPlatform { try await $0.platformAdmin.insertNumber(id: UUID(), e164: e164) }
    }

    /// Allocates the number to `tenantID`, or returns it to the free inventory (nil).
    public func allocateNumber(id: UUID, to tenantID: UUID?) async throws -> PhoneNumberRecord {
        guard let number = try await work.inPlatform({ try await $0.platformAdmin.allocateNumber(id: id, tenantID: tenantID) }) else {
            throw Self.noSuchNumber
        }
        return number
    }

    static let noSuchNumber = ControlPlaneError(.notFound, "No number with that id is in the inventory.")

    // MARK: Nodes and placement

    public func listNodes(page: PageRequest) async throws -> Page<NodeRecord> {
        try await work.inPlatform { try await $0.platformAdmin.listNodes(page: page) }
    }

    public func getNode(id: UUID) async throws -> NodeRecord {
        guard let node = try await work.inPlatform({ try await $0.platformAdmin.getNode(id: id) }) else { throw Self.noSuchNode }
        return node
    }

    public func removeNode(id: UUID) async throws {
        guard try await work.inPlatform({ try await $0.platformAdmin.removeNode(id: id) }) else { throw Self.noSuchNode }
    }

    public func setNodeAdminState(id: UUID, state: NodeAdminState) async throws -> NodeRecord {
        guard let node = try await work.inPlatform({ try await $0.platformAdmin.setNodeAdminState(id: id, state: state) }) else {
            throw Self.noSuchNode
        }
        return node
    }

    static let noSuchNode = ControlPlaneError(.notFound, "No node with that id is registered.")

    public func placement(tenantID: UUID) async throws -> PlacementRecord {
        guard let placement = try await work.inPlatform({ try await $0.platformAdmin.placement(tenantID: tenantID) }) else {
            throw ControlPlaneError(.notFound, "The tenant is not homed on any media node (no tenant with that id, not active, or no healthy node yet).")
        }
        return placement
    }

    /// Homes the tenant on `nodeID`, which must be active, up and not removed.
    public func moveTenant(id: UUID, toNode nodeID: UUID) async throws -> PlacementRecord {
        switch try await work.inPlatform({ try await $0.platformAdmin.moveTenant(id: id, toNode: nodeID) }) {
        case .moved(let placement):
            return placement
        case .noSuchTenant:
            throw ControlPlaneError(.notFound, "No tenant with that id exists.")
        case .noSuchNode:
            throw ControlPlaneError(.notFound, "No media node with id \(nodeID) exists.")
        case .nodeUnavailable(let why):
            throw ControlPlaneError(.conflict, "The tenant cannot be moved there: \(why). Pick an active node that is up.")
        }
    }

    // MARK: Node bootstrap tokens (expiring, revocable, stored as SHA-256)

    public func listBootstrapTokens(page: PageRequest) async throws -> Page<BootstrapTokenRecord> {
        try await work.inPlatform { try await $0.platformAdmin.listBootstrapTokens(page: page) }
    }

    public func getBootstrapToken(id: UUID) async throws -> BootstrapTokenRecord {
        guard let token = try await work.inPlatform({ try await $0.platformAdmin.getBootstrapToken(id: id) }) else {
            throw Self.noSuchBootstrapToken
        }
        return token
    }

    /// Makes a bootstrap token valid for `expiresInSeconds` (a day when nil); the secret is returned once.
    public func createBootstrapToken(name: String, expiresInSeconds: Int?, createdBy: UUID?,
                                     now: Date = Date()) async throws -> (record: BootstrapTokenRecord, secret: String) {
        let lifetime = expiresInSeconds ?? 86_400
        try InputValidation.check([
            InputValidation.text(name, field: "name", max: 100),
            (60...2_592_000).contains(lifetime) ? nil : .init(field: "expiresInSeconds", message: "must be 60 (a minute) to 2592000 (30 days)"),
        ])
        let token = BearerToken.generate(.bootstrap)
        let record = BootstrapTokenRecord(id: UUID(), name: name, prefix: token.prefix ?? "", createdAt: now,
                                          expiresAt: now.addingTimeInterval(TimeInterval(lifetime)), revokedAt: nil, lastUsedAt: nil)
        try await work.inPlatform { try await $0.platformAdmin.insertBootstrapToken(record, token: token, createdBy: createdBy) }
        return (record, token.text)
    }

    public func revokeBootstrapToken(id: UUID) async throws {
        guard try await work.inPlatform({ try await $0.platformAdmin.revokeBootstrapToken(id: id) }) else {
            throw Self.noSuchBootstrapToken
        }
    }

    static let noSuchBootstrapToken = ControlPlaneError(.notFound, "No bootstrap token with that id exists.")
}
