import CallCenterModel
import Foundation

public struct QueueRecord: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var config: QueueConfiguration
    public var createdAt: Date
    public var updatedAt: Date
    public init(id: UUID, name: String, config: QueueConfiguration, createdAt: Date, updatedAt: Date) {
        self.id = id; self.name = name; self.config = config; self.createdAt = createdAt; self.updatedAt = updatedAt
    }
}
