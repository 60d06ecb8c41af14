import Foundation

public struct APIKeyRecord: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID
    public var name: String
    public var prefix: String
    public var scopes: [Scope]
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(id: UUID, tenantID: UUID, name: String, prefix: String, scopes: [Scope], createdAt: Date,
                lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id; self.tenantID = tenantID; self.name = name; self.prefix = prefix; self.scopes = scopes
        self.createdAt = createdAt; self.lastUsedAt = lastUsedAt; self.revokedAt = revokedAt
    }
}
