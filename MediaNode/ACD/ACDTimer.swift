import Foundation

/// A deadline the engine set for itself. Stale timers (the call or agent moved on) are
/// recognised by generation numbers and dropped when they fire.
struct ACDTimer: Comparable, Sendable {
    enum Kind: Hashable, Sendable {
        case ringTimeout(call: Int32, callGeneration: UInt32, agent: Int32, agentGeneration: UInt32)
        case wrapUpEnd(agent: Int32, agentGeneration: UInt32)
        case escalate(call: Int32, callGeneration: UInt32)
        case maxWait(call: Int32, callGeneration: UInt32)
        case announcePosition(call: Int32, callGeneration: UInt32)
        case announceWait(call: Int32, callGeneration: UInt32)
        case callbackRetry(call: Int32, callGeneration: UInt32)
        case callbackWindow(call: Int32, callGeneration: UInt32)
        case exclusionEnd(call: Int32, callGeneration: UInt32)
    }

    var deadline: Double
    /// Insertion order: equal deadlines fire first-set-first.
    var order: UInt64
    var kind: Kind

    static func < (a: Self, b: Self) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.order < b.order
    }
    static func == (a: Self, b: Self) -> Bool { a.deadline == b.deadline && a.order == b.order }
}
