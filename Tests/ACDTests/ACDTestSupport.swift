import CallCenterModel
import Foundation
@testable import ACD

/// Drives an engine with a manual clock and records everything it emitted.
struct ACDHarness {
    var engine: ACDEngine
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var log: [ACDAction] = []

    init(queues: [(ACDQueueID, QueueConfiguration)], agents: [(ACDAgentID, AgentConfiguration)],
         configuration: ACDEngine.Configuration = .init(emitQueueStatistics: false)) {
        engine = ACDEngine(queues: queues.map { (id: $0.0, configuration: $0.1) },
                           agents: agents.map { (id: $0.0, configuration: $0.1) }, configuration: configuration)
    }

    @discardableResult
    mutating func send(_ event: ACDEvent) -> [ACDAction] {
        let out = engine.handle(event, now: now)
        log += out
        return out
    }

    @discardableResult
    mutating func advance(by seconds: Double) -> [ACDAction] {
        now = now.addingTimeInterval(seconds)
        let out = engine.advance(to: now)
        log += out
        return out
    }

    mutating func login(_ ids: ACDAgentID...) { for id in ids { send(.login(id)) } }

    /// Calls offered in `actions`, as (call, agent).
    static func offers(_ actions: [ACDAction]) -> [(ACDCallID, ACDAgentID)] {
        actions.compactMap { if case .offer(let c, let a, _) = $0 { (c, a) } else { nil } }
    }

    static func offeredAgents(_ actions: [ACDAction]) -> [ACDAgentID] { offers(actions).map(\.1) }

    static func overflows(_ actions: [ACDAction]) -> [(ACDCallID, OverflowReason)] {
        actions.compactMap { if case .overflow(let c, _, let r) = $0 { (c, r) } else { nil } }
    }

    /// Answers and immediately ends a call so the agent is free again (wrap-up 0).
    mutating func serve(_ call: ACDCallID, by agent: ACDAgentID, talk: Double = 60) {
        send(.answered(call, agent: agent))
        advance(by: talk)
        send(.callEnded(call))
    }
}

func member(_ queues: String..., tier: Int = 0, weight: Int = 1) -> [QueueMembership] {
    queues.map { QueueMembership(queue: $0, tier: tier, weight: weight) }
}
