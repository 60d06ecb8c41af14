import Foundation

/// Opens one transaction scoped to a tenant — row-level security sees only that tenant's rows —
/// and hands a use case the stores it needs. `ControlPlanePostgres.Database` implements it.
///
/// This is the seam between the use cases (here, by context) and storage: a use case validates,
/// decides and calls stores; it never sees SQL, connections or HTTP. A new context (CRM, reports,
/// webhooks, billing) adds its store protocol to `TenantStores` and its use cases next to its
/// records; handlers decode, authorise, call one use case and encode.
public protocol UnitOfWork: Sendable {
    func inTenant<Result: Sendable>(_ tenantID: UUID, _ body: (any TenantStores) async throws -> Result) async throws -> Result
    /// One transaction with platform scope (every tenant's rows): platform staff, sign-up,
    /// credential lookups, node traffic.
    func inPlatform<Result: Sendable>(_ body: (any PlatformStores) async throws -> Result) async throws -> Result
}

/// The stores of one tenant inside one transaction. Each context adds its store here.
public protocol TenantStores: Sendable {
    var skills: any SkillStore { get }
    var ivr: any IVRStore { get }
    var agents: any AgentStore { get }
    var agentGroups: any AgentGroupStore { get }
    var queues: any QueueStore { get }
    var numbers: any NumberStore { get }
    var tenant: any TenantSettingsStore { get }
    var users: any UserStore { get }
    var apiKeys: any APIKeyStore { get }
    var prompts: any PromptStore { get }
    var cdrs: any CDRStore { get }
}

/// The stores of a platform-scope transaction. Each context that needs that scope adds its store here.
public protocol PlatformStores: Sendable {
    var nodeChannel: any NodeChannelStore { get }
    var logins: any LoginStore { get }
    var signups: any SignupStore { get }
    var platformAdmin: any PlatformAdminStore { get }
}
