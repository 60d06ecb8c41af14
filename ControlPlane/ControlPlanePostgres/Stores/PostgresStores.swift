import ControlPlaneCore
import Foundation

/// `Database` runs use cases: one RLS-scoped transaction, the tenant's stores backed by it.
extension Database: UnitOfWork {
    public func inTenant<Result: Sendable>(_ tenantID: UUID, _ body: (any TenantStores) async throws -> Result) async throws -> Result {
        try await tenant(tenantID) { tx in try await body(PostgresTenantStores(tx: tx, tenantID: tenantID)) }
    }

    public func inPlatform<Result: Sendable>(_ body: (any PlatformStores) async throws -> Result) async throws -> Result {
        try await platform { tx in try await body(PostgresPlatformStores(tx: tx)) }
    }
}

/// The stores of one platform-scope transaction.
struct PostgresPlatformStores: PlatformStores {
    let tx: Transaction
    var nodeChannel: any NodeChannelStore { PostgresNodeChannelStore(tx: tx) }
    var logins: any LoginStore { PostgresLoginStore(tx: tx) }
    var signups: any SignupStore { PostgresSignupStore(tx: tx) }
    var platformAdmin: any PlatformAdminStore { PostgresPlatformAdminStore(tx: tx) }
}

/// The stores of one tenant over one transaction (the repositories, bound to it).
struct PostgresTenantStores: TenantStores {
    let tx: Transaction
    let tenantID: UUID

    var skills: any SkillStore { PostgresSkillStore(tx: tx, tenantID: tenantID) }
    var ivr: any IVRStore { PostgresIVRStore(tx: tx, tenantID: tenantID) }
    var agents: any AgentStore { PostgresAgentStore(tx: tx, tenantID: tenantID) }
    var agentGroups: any AgentGroupStore { PostgresAgentGroupStore(tx: tx, tenantID: tenantID) }
    var queues: any QueueStore { PostgresQueueStore(tx: tx, tenantID: tenantID) }
    var numbers: any NumberStore { PostgresNumberStore(tx: tx, tenantID: tenantID) }
    var tenant: any TenantSettingsStore { PostgresTenantSettingsStore(tx: tx, tenantID: tenantID) }
    var users: any UserStore { PostgresUserStore(tx: tx, tenantID: tenantID) }
    var apiKeys: any APIKeyStore { PostgresAPIKeyStore(tx: tx, tenantID: tenantID) }
    var prompts: any PromptStore { PostgresPromptStore(tx: tx, tenantID: tenantID) }
    var cdrs: any CDRStore { PostgresCDRStore(tx: tx, tenantID: tenantID) }
}

// Each context's store is in its own file next to this one (`Postgres<Context>Store.swift`); this
// file keeps only the unit of work and the two store collections.

struct PostgresSkillStore: SkillStore {
    let tx: Transaction
    let tenantID: UUID

    func list(page: PageRequest) async throws -> Page<SkillRecord> { try await SkillRepository.list(tx, tenantID: tenantID, page: page) }
    func get(id: UUID) async throws -> SkillRecord? { try await SkillRepository.get(tx, tenantID: tenantID, id: id) }
    func insert(_ skill: SkillRecord) async throws { try await SkillRepository.insert(tx, tenantID: tenantID, skill) }
    func update(id: UUID, name: String, description: String?) async throws -> SkillRecord? {
        try await SkillRepository.update(tx, tenantID: tenantID, id: id, name: name, description: description)
    }
    func delete(id: UUID) async throws -> Bool { try await SkillRepository.delete(tx, tenantID: tenantID, id: id) }
}
