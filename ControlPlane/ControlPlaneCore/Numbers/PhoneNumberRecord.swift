import Foundation

/// Where calls to a number go.
public enum NumberRoute: Sendable, Equatable {
    case none
    case queue(UUID)
    case ivr(alias: String)
}

public struct PhoneNumberRecord: Sendable, Equatable {
    public var id: UUID
    public var e164: String
    public var tenantID: UUID?
    public var route: NumberRoute
    public var allocatedAt: Date?
    public var createdAt: Date
    public init(id: UUID, e164: String, tenantID: UUID?, route: NumberRoute, allocatedAt: Date?, createdAt: Date) {
        self.id = id; self.e164 = e164; self.tenantID = tenantID; self.route = route
        self.allocatedAt = allocatedAt; self.createdAt = createdAt
    }
}
