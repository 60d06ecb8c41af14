import ControlPlaneCore
import Foundation

/// The node channel's store: the node, bootstrap-token, placement, snapshot, CDR, agent-command and
/// prompt repositories, bound to one platform-scope transaction.
struct PostgresNodeChannelStore: NodeChannelStore {
    let tx: Transaction

    func admitBootstrap(presented: BearerToken?, configuredTokenMatches: Bool, now: Date) async throws -> BootstrapAdmission {
        switch try await BootstrapTokenRepository.admit(tx, presented: presented, configuredTokenMatches: configuredTokenMatches, now: now) {
        case .token(let id): .token(id)
        case .configured: .configured
        case .wrong: .wrong
        case .expired: .expired
        case .revoked: .revoked
        case .configuredReplaced: .configuredReplaced
        }
    }
    func registerNode(id: UUID, name: String, sipAddress: String?, version: String?, credential: BearerToken,
                      bootstrapTokenID: UUID?) async throws -> Bool {
        try await NodeRepository.register(tx, id: id, name: name, sipAddress: sipAddress, version: version, credential: credential,
                                          bootstrapTokenID: bootstrapTokenID)
    }
    func heartbeat(nodeID: UUID, load: NodeLoad?) async throws -> NodeRecord? { try await NodeRepository.heartbeat(tx, id: nodeID, load: load) }

    func placeUnhomed() async throws { try await PlacementRepository.placeUnhomed(tx) }
    func configVersion(nodeID: UUID) async throws -> Int64 { try await PlacementRepository.configVersion(tx, nodeID: nodeID) }
    func homedTenants(nodeID: UUID) async throws -> [TenantRecord] { try await PlacementRepository.tenants(tx, nodeID: nodeID) }
    func snapshot(tenant: TenantRecord) async throws -> TenantSnapshotRecord { try await SnapshotRepository.snapshot(tx, tenant: tenant) }

    func writableTenants(nodeID: UUID, formerHomeSince: Date) async throws -> Set<UUID> {
        try await PlacementRepository.writableTenants(tx, nodeID: nodeID, formerHomeSince: formerHomeSince)
    }
    func existingTenants(_ ids: Set<UUID>) async throws -> Set<UUID> { try await CDRRepository.existingTenants(tx, ids) }
    func ingestCDRs(_ rows: [CDRRow]) async throws -> [CDRBatchOutcome] { try await CDRRepository.ingestBatch(tx, rows) }

    func deliverAgentCommands(nodeID: UUID) async throws -> [AgentCommandRecord] {
        try await AgentCommandRepository.deliver(tx, nodeID: nodeID)
    }
    func completeAgentCommand(nodeID: UUID, id: UUID, applied: Bool, detail: String?) async throws -> Bool {
        try await AgentCommandRepository.complete(tx, nodeID: nodeID, id: id, applied: applied, detail: detail)
    }

    func homeNode(tenantID: UUID) async throws -> UUID? { try await PlacementRepository.homeNode(tx, tenantID: tenantID) }
    func promptContent(tenantID: UUID, name: String) async throws -> [UInt8]? {
        try await PromptRepository.content(tx, tenantID: tenantID, name: name)
    }
    func route(number: String) async throws -> NumberRouteRecord? { try await PlacementRepository.route(tx, number: number) }
}
