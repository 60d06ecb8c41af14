import Foundation

public enum TenantStatus: String, Sendable, Codable, CaseIterable {
    case active, suspended, closed
}

public struct TenantRecord: Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var contactEmail: String
    public var timezone: String
    public var defaultLanguage: String
    public var status: TenantStatus
    public var sipDomain: String
    public var allowMD5Digest: Bool
    public var limits: TenantLimits
    public var createdAt: Date

    public init(id: UUID, slug: String, name: String, contactEmail: String, timezone: String, defaultLanguage: String,
                status: TenantStatus, sipDomain: String, allowMD5Digest: Bool, limits: TenantLimits = .defaults, createdAt: Date) {
        self.id = id; self.slug = slug; self.name = name; self.contactEmail = contactEmail; self.timezone = timezone
        self.defaultLanguage = defaultLanguage; self.status = status; self.sipDomain = sipDomain
        self.allowMD5Digest = allowMD5Digest; self.limits = limits; self.createdAt = createdAt
    }
}

/// What a tenant may use at once on its home node (set by platform staff, enforced by the node).
public struct TenantLimits: Sendable, Equatable {
    /// Calls up at once; one more is answered 486 before any media work.
    public var maxConcurrentCalls: Int
    /// Registered phone contacts; a REGISTER beyond is answered 403.
    public var maxRegistrations: Int

    /// What the tenant may keep (agents, numbers, prompts, ...), enforced by the create use cases.
    public var quotas: [TenantQuota: Int]

    /// The database defaults (migrations 0007 and 0011).
    public static let defaults = TenantLimits(maxConcurrentCalls: 100, maxRegistrations: 500)
    /// Each limit's accepted range.
    public static let range = 0...100_000

    public init(maxConcurrentCalls: Int, maxRegistrations: Int, quotas: [TenantQuota: Int] = TenantQuota.defaults) {
        self.maxConcurrentCalls = maxConcurrentCalls
        self.maxRegistrations = maxRegistrations
        self.quotas = quotas
    }

    /// The quota `q` (its default when unset).
    public func limit(_ q: TenantQuota) -> Int { quotas[q] ?? q.defaultValue }
}

/// A per-tenant quota on what a tenant keeps (issue 13). Platform staff set them with the tenant's
/// limits; a create beyond one is refused with 409 `quota-exceeded`. Deleting frees room.
public enum TenantQuota: String, Sendable, CaseIterable, Hashable {
    case agents, numbers, prompts, promptBytes, apiKeys, users, queues, ivrFlows

    /// The field in `TenantLimits` (API) and the column in `tenants`.
    public var field: String {
        switch self {
        case .agents: "maxAgents"
        case .numbers: "maxNumbers"
        case .prompts: "maxPrompts"
        case .promptBytes: "maxPromptBytes"
        case .apiKeys: "maxApiKeys"
        case .users: "maxUsers"
        case .queues: "maxQueues"
        case .ivrFlows: "maxIvrFlows"
        }
    }

    /// What is counted, for a person ("5 of 5 agents").
    public var noun: String {
        switch self {
        case .agents: "agents"
        case .numbers: "phone numbers"
        case .prompts: "prompts"
        case .promptBytes: "bytes of prompt audio"
        case .apiKeys: "active API keys"
        case .users: "users"
        case .queues: "queues"
        case .ivrFlows: "IVR flows"
        }
    }

    /// How to make room.
    public var remedy: String {
        switch self {
        case .agents: "delete agents you no longer need"
        case .numbers: "release numbers the tenant no longer needs"
        case .prompts, .promptBytes: "delete prompts you no longer need (or upload smaller files)"
        case .apiKeys: "revoke API keys you no longer use"
        case .users: "delete users who no longer need access"
        case .queues: "delete queues you no longer need"
        case .ivrFlows: "reuse an existing flow (new versions of a flow are free)"
        }
    }

    /// The database default (migration 0011).
    public var defaultValue: Int {
        switch self {
        case .agents: 200
        case .numbers: 100
        case .prompts: 200
        case .promptBytes: 200 * 1024 * 1024
        case .apiKeys: 50
        case .users: 200
        case .queues: 100
        case .ivrFlows: 100
        }
    }

    /// The accepted values (the column's CHECK).
    public var range: ClosedRange<Int> { self == .promptBytes ? 0...107_374_182_400 : 0...100_000 }

    public static var defaults: [TenantQuota: Int] { Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.defaultValue) }) }
}
