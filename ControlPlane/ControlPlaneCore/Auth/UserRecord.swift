import Foundation

public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var tenantID: UUID?
    public var email: String
    public var name: String
    public var role: Role
    public var createdAt: Date

    public init(id: UUID, tenantID: UUID?, email: String, name: String, role: Role, createdAt: Date) {
        self.id = id; self.tenantID = tenantID; self.email = email; self.name = name; self.role = role; self.createdAt = createdAt
    }
}
