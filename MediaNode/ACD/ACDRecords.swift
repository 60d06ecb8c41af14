import CallCenterModel
import Foundation

/// Internal per-queue state: configuration, derived escalation levels and indexes.
struct QueueRecord: Sendable {
    /// Base requirements (level 0) and each escalation step's, cumulative.
    struct EscalationLevel: Sendable {
        var afterSeconds: Double
        var skills: [InternedRequirement]
        var maxTier: Int
    }

    var id: ACDQueueID
    var config: QueueConfiguration
    var levels: [EscalationLevel]
    /// Highest tier any level up to index i admits (eligibility is the union over levels ≤ i).
    var tierLimitUpTo: [Int]
    var members: [Int32] = []
    /// Next member position to hand out (positions are never reused, so order is stable).
    var nextPosition: Int32 = 0
    var available = AvailableAgentIndex()
    var waiting = WaitingCallIndex()
    var loggedIn = 0
    var staffed = 0
    var roundRobinCursor: Int32 = -1
    var handleTimeSeconds: Double?
    var answered = 0
    var answeredWithinServiceLevel = 0
    var abandoned = 0
    var overflowed = 0

    /// Index of the escalation level a caller who waited `waited` seconds has reached.
    func level(afterWaiting waited: Double) -> Int {
        var i = 0
        while i + 1 < levels.count, levels[i + 1].afterSeconds <= waited { i += 1 }
        return i
    }
}

/// An agent's membership in one queue.
struct MembershipRecord: Sendable {
    var queue: Int32
    var tier: Int
    var weight: Int
    var position: Int32
    /// Key under which the agent sits in the queue's available index while available.
    var key: Double = 0
}

/// Internal per-agent state.
struct AgentRecord: Sendable {
    var id: ACDAgentID
    /// Sorted by skill.
    var skills: [(skill: Int32, level: Int)]
    var memberships: [MembershipRecord]
    var state: AgentState = .loggedOut
    var call: Int32?
    var callQueue: Int32?
    var idleSince: Date = .distantPast
    var answeredAt: Date?
    var wrapStartedAt: Date?
    var callsAnswered = 0
    var talkSeconds = 0.0
    var lastTalkSeconds = 0.0
    var consecutiveMisses = 0
    var pendingLogout = false
    var pendingBreak: String?
    /// Bumped on every state change; stale timers compare against it.
    var generation: UInt32 = 0

    func level(of skill: Int32) -> Int? {
        var lo = 0, hi = skills.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if skills[mid].skill < skill { lo = mid + 1 } else { hi = mid }
        }
        return lo < skills.count && skills[lo].skill == skill ? skills[lo].level : nil
    }

    func meets(_ requirements: [InternedRequirement]) -> Bool {
        requirements.allSatisfy { r in (level(of: r.skill) ?? 0) >= r.minLevel }
    }

    func membership(in queue: Int32) -> Int? {
        memberships.firstIndex { $0.queue == queue }
    }

    var isLoggedIn: Bool { if case .loggedOut = state { false } else { true } }
    var isStaffed: Bool {
        switch state {
        case .loggedOut, .onBreak: false
        default: true
        }
    }
    var isAvailable: Bool { if case .available = state { true } else { false } }
}

/// Internal per-call state.
struct CallRecord: Sendable {
    enum Phase: Hashable, Sendable {
        case waiting
        /// Ringing these agents (several for ring-all).
        case offered([Int32])
        /// Callback: agent reserved, dialling the customer.
        case dialing(Int32)
        case connected(Int32)
        /// Callback failed; back in its place when the retry timer fires.
        case parked
    }

    var id: ACDCallID
    var queue: Int32
    var lane: Int
    var priority: Int
    var seq: UInt64
    var joinedAt: Date
    var phase: Phase = .waiting
    var callbackNumber: String?
    var callbackAttempts = 0
    /// Agents that missed or declined this call; skipped until the retry delay ends.
    var excluded: [Int32] = []
    var generation: UInt32
}
