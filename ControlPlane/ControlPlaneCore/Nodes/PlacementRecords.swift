import Foundation

/// Where a tenant is homed.
public struct PlacementRecord: Sendable, Equatable {
    public var tenantID: UUID
    public var nodeID: UUID
    public var nodeName: String
    public var sipAddress: String?
    public var placedAt: Date

    public init(tenantID: UUID, nodeID: UUID, nodeName: String, sipAddress: String? = nil, placedAt: Date) {
        self.tenantID = tenantID; self.nodeID = nodeID; self.nodeName = nodeName; self.sipAddress = sipAddress; self.placedAt = placedAt
    }
}

/// A number's tenant and the node homing it.
public struct NumberRouteRecord: Sendable, Equatable {
    public var e164: String
    public var tenantID: UUID
    public var nodeID: UUID
    public var sipAddress: String?

    public init(e164: String, tenantID: UUID, nodeID: UUID, sipAddress: String? = nil) {
        self.e164 = e164; self.tenantID = tenantID; self.nodeID = nodeID; self.sipAddress = sipAddress
    }
}
