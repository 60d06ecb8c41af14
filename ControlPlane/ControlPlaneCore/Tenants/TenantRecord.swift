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

    /// The database defaults (migration 0007).
    public static let defaults = TenantLimits(maxConcurrentCalls: 100, maxRegistrations: 500)
    /// Each limit's accepted range.
    public static let range = 0...100_000

    public init(maxConcurrentCalls: Int, maxRegistrations: Int) {
        self.maxConcurrentCalls = maxConcurrentCalls
        self.maxRegistrations = maxRegistrations
    }
}
