/// Sets a caller's priority from a call attribute when they join (for example `tier == "gold"` → 5).
/// The highest matching rule wins over the priority the IVR asked for, if higher.
public struct QueuePriorityRule: Codable, Sendable, Equatable, Hashable {
    /// Call attribute (IVR variable) to test.
    public var attribute: String
    /// Value it must equal.
    public var equals: String
    /// Priority given (higher is served first, 0…100).
    public var priority: Int

    public init(attribute: String, equals: String, priority: Int) {
        self.attribute = attribute
        self.equals = equals
        self.priority = priority
    }
}
