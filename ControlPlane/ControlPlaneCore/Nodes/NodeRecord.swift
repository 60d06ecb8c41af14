import Foundation

public enum NodeAdminState: String, Sendable, Codable, CaseIterable {
    case active, draining, cordoned
}

/// Load a node reports in each heartbeat.
public struct NodeLoad: Sendable, Equatable, Codable {
    public var activeCalls: Int?
    public var registeredPhones: Int?
    public var cpuLoad: Double?
    public var queueDepth: Int?
    public var agentsAvailable: Int?
    public init(activeCalls: Int? = nil, registeredPhones: Int? = nil, cpuLoad: Double? = nil, queueDepth: Int? = nil,
                agentsAvailable: Int? = nil) {
        self.activeCalls = activeCalls; self.registeredPhones = registeredPhones; self.cpuLoad = cpuLoad
        self.queueDepth = queueDepth; self.agentsAvailable = agentsAvailable
    }
}

public struct NodeRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var adminState: NodeAdminState
    /// Set by the liveness monitor when heartbeats stopped; cleared by the next heartbeat.
    public var down: Bool
    public var sipAddress: String?
    public var version: String?
    public var load: NodeLoad?
    public var configVersion: Int64
    public var lastHeartbeatAt: Date?
    public var registeredAt: Date

    public init(id: UUID, name: String, adminState: NodeAdminState, down: Bool, sipAddress: String?, version: String?,
                load: NodeLoad?, configVersion: Int64, lastHeartbeatAt: Date?, registeredAt: Date) {
        self.id = id; self.name = name; self.adminState = adminState; self.down = down; self.sipAddress = sipAddress
        self.version = version; self.load = load; self.configVersion = configVersion
        self.lastHeartbeatAt = lastHeartbeatAt; self.registeredAt = registeredAt
    }

    /// The status shown to staff: `down` wins over the admin state.
    public var status: String { down ? "down" : adminState.rawValue }
}
