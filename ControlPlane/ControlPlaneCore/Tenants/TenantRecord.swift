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
    public var createdAt: Date

    public init(id: UUID, slug: String, name: String, contactEmail: String, timezone: String, defaultLanguage: String,
                status: TenantStatus, sipDomain: String, allowMD5Digest: Bool, createdAt: Date) {
        self.id = id; self.slug = slug; self.name = name; self.contactEmail = contactEmail; self.timezone = timezone
        self.defaultLanguage = defaultLanguage; self.status = status; self.sipDomain = sipDomain
        self.allowMD5Digest = allowMD5Digest; self.createdAt = createdAt
    }
}
