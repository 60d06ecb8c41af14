import Foundation

/// A node bootstrap token made by platform staff (the secret is stored only as SHA-256).
public struct BootstrapTokenRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var prefix: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var lastUsedAt: Date?

    public init(id: UUID, name: String, prefix: String, createdAt: Date, expiresAt: Date, revokedAt: Date?, lastUsedAt: Date?) {
        self.id = id; self.name = name; self.prefix = prefix; self.createdAt = createdAt; self.expiresAt = expiresAt
        self.revokedAt = revokedAt; self.lastUsedAt = lastUsedAt
    }
}
