import Foundation

/// A stored flow version; `definition` is the flow's JSON exactly as validated.
public struct IVRFlowVersionRecord: Sendable, Equatable {
    public var flowName: String
    public var version: Int
    public var definition: String
    public var createdAt: Date

    public init(flowName: String, version: Int, definition: String, createdAt: Date) {
        self.flowName = flowName; self.version = version; self.definition = definition; self.createdAt = createdAt
    }
}

public struct IVRAliasRecord: Sendable, Equatable {
    public var alias: String
    public var flowName: String
    public var version: Int
    public var updatedAt: Date
    public var history: [(flowName: String, version: Int, publishedAt: Date)]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.alias == rhs.alias && lhs.flowName == rhs.flowName && lhs.version == rhs.version && lhs.updatedAt == rhs.updatedAt
    }

    public init(alias: String, flowName: String, version: Int, updatedAt: Date, history: [(flowName: String, version: Int, publishedAt: Date)]) {
        self.alias = alias; self.flowName = flowName; self.version = version; self.updatedAt = updatedAt; self.history = history
    }
}
