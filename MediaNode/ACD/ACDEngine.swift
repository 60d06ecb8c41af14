import CallCenterModel
import Foundation
import HeapModule

/// One tenant's automatic call distributor: a value-type state machine.
///
/// Feed it ``ACDEvent``s with the current time and perform the ``ACDAction``s it returns; call
/// ``advance(to:)`` when ``nextDeadline`` passes. It has no clock, no I/O and no randomness of its
/// own (random strategies use a seeded generator), so the same inputs always give the same outputs.
///
/// Scale: every decision touches only the queues of the agent or call concerned. An arriving call
/// walks its queue's available agents in strategy order (sorted per tier) and stops at the first
/// qualified one; an agent becoming available looks at the head of each priority level of each
/// lane of each of its queues (see ``WaitingCallIndex``). Nothing scans all queues or all members.
public struct ACDEngine: Sendable {
    /// Engine-wide settings.
    public struct Configuration: Sendable {
        /// Position / EWT model.
        public var estimatedWait: EstimatedWaitModel
        /// After an agent misses or declines a call, they are not offered that call again for this long.
        public var retryAfterMissSeconds: Double
        /// Extra time allowed for a dial-back (agent leg plus customer leg) beyond the ring timeout.
        public var dialBackGraceSeconds: Double
        /// Seed for the random and weighted-random strategies.
        public var randomSeed: UInt64
        /// Emit ``ACDAction/queueStatisticsChanged(_:)`` after each event touching a queue.
        public var emitQueueStatistics: Bool

        public init(estimatedWait: EstimatedWaitModel = EstimatedWaitModel(), retryAfterMissSeconds: Double = 5,
                    dialBackGraceSeconds: Double = 60, randomSeed: UInt64 = 0x5EED, emitQueueStatistics: Bool = true) {
            self.estimatedWait = estimatedWait
            self.retryAfterMissSeconds = retryAfterMissSeconds
            self.dialBackGraceSeconds = dialBackGraceSeconds
            self.randomSeed = randomSeed
            self.emitQueueStatistics = emitQueueStatistics
        }
    }

    let configuration: Configuration
    var queues: [QueueRecord] = []
    var queueIndex: [ACDQueueID: Int32] = [:]
    var agents: [AgentRecord] = []
    var agentIndex: [ACDAgentID: Int32] = [:]
    var calls: [CallRecord?] = []
    var callIndex: [ACDCallID: Int32] = [:]
    var freeCallSlots: [Int32] = []
    var callGenerations: [UInt32] = []
    var skillIndex: [String: Int32] = [:]
    var timers = Heap<ACDTimer>()
    var timerOrder: UInt64 = 0
    var nextSeq: UInt64 = 0
    var random: SplitMix64
    var actions: [ACDAction] = []
    var touchedQueues: [Int32] = []
    /// Time of the latest event or advance.
    var lastEventTime = Date.distantPast

    /// Builds the engine from the tenant's queues and agents (all logged out).
    public init(queues: [(id: ACDQueueID, configuration: QueueConfiguration)],
                agents: [(id: ACDAgentID, configuration: AgentConfiguration)],
                configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.randomSeed)
        for (id, config) in queues where queueIndex[id] == nil {
            queueIndex[id] = Int32(self.queues.count)
            self.queues.append(makeQueue(id: id, config: config))
        }
        for (id, config) in agents where agentIndex[id] == nil {
            let a = Int32(self.agents.count)
            agentIndex[id] = a
            var skills = config.skills.map { (skill: intern($0.skill), level: $0.level) }
            skills.sort { $0.skill < $1.skill }
            var memberships: [MembershipRecord] = []
            for m in config.queues {
                guard let q = queueIndex[ACDQueueID(m.queue)], !memberships.contains(where: { $0.queue == q }) else { continue }
                let position = self.queues[Int(q)].nextPosition
                self.queues[Int(q)].nextPosition += 1
                self.queues[Int(q)].members.append(a)
                memberships.append(MembershipRecord(queue: q, tier: m.tier, weight: m.weight, position: position))
            }
            self.agents.append(AgentRecord(id: id, skills: skills, memberships: memberships))
        }
    }

    mutating func makeQueue(id: ACDQueueID, config: QueueConfiguration) -> QueueRecord {
        func interned(_ list: [SkillRequirement]) -> [InternedRequirement] {
            list.map { InternedRequirement(skill: intern($0.skill), minLevel: $0.minLevel) }.sorted()
        }
        var levels = [QueueRecord.EscalationLevel(afterSeconds: 0, skills: interned(config.requiredSkills),
                                                  maxTier: config.maxTier ?? Int.max)]
        for step in config.escalation.sorted(by: { $0.afterSeconds < $1.afterSeconds }) {
            var next = levels[levels.count - 1]
            next.afterSeconds = Double(step.afterSeconds)
            if let s = step.skills { next.skills = interned(s) }
            if let t = step.maxTier { next.maxTier = t }
            levels.append(next)
        }
        var limits: [Int] = []
        for l in levels { limits.append(max(limits.last ?? Int.min, l.maxTier)) }
        return QueueRecord(id: id, config: config, levels: levels, tierLimitUpTo: limits)
    }

    mutating func intern(_ skill: String) -> Int32 {
        if let s = skillIndex[skill] { return s }
        let s = Int32(skillIndex.count)
        skillIndex[skill] = s
        return s
    }

    // MARK: Driving

    /// Applies one event at time `now` (timers due by `now` fire first) and returns the actions.
    public mutating func handle(_ event: ACDEvent, now: Date) -> [ACDAction] {
        lastEventTime = now
        fireTimers(upTo: now)
        apply(event, now: now)
        return takeActions(now: now)
    }

    /// Fires every timer due by `now` and returns the actions.
    public mutating func advance(to now: Date) -> [ACDAction] {
        lastEventTime = now
        fireTimers(upTo: now)
        return takeActions(now: now)
    }

    /// The earliest time at which ``advance(to:)`` has something to do (may be a stale timer).
    public var nextDeadline: Date? {
        timers.min.map { Date(timeIntervalSinceReferenceDate: $0.deadline) }
    }

    private mutating func takeActions(now: Date) -> [ACDAction] {
        if configuration.emitQueueStatistics {
            for q in touchedQueues { actions.append(.queueStatisticsChanged(statistics(queue: q, now: now))) }
        }
        touchedQueues.removeAll(keepingCapacity: true)
        defer { actions.removeAll(keepingCapacity: true) }
        return actions
    }

    mutating func touch(_ q: Int32) {
        if !touchedQueues.contains(q) { touchedQueues.append(q) }
    }

    mutating func schedule(at deadline: Date, _ kind: ACDTimer.Kind) {
        timerOrder += 1
        timers.insert(ACDTimer(deadline: deadline.timeIntervalSinceReferenceDate, order: timerOrder, kind: kind))
    }

    // MARK: Queries

    /// The agent's current state, or nil for an unknown agent.
    public func agentState(_ agent: ACDAgentID) -> AgentState? {
        agentIndex[agent].map { agents[Int($0)].state }
    }

    /// 1-based position of a waiting caller in their queue, or nil when not waiting.
    public func position(of call: ACDCallID) -> Int? {
        guard let c = callIndex[call], let record = calls[Int(c)], record.phase == .waiting else { return nil }
        return queues[Int(record.queue)].waiting.position(of: .init(seq: record.seq, call: c), priority: record.priority)
    }

    /// Estimated wait of a waiting caller (see ``EstimatedWaitModel``).
    public func estimatedWait(of call: ACDCallID) -> Int? {
        guard let c = callIndex[call], let record = calls[Int(c)], let p = position(of: call) else { return nil }
        return estimatedWait(queue: record.queue, position: p)
    }

    func estimatedWait(queue q: Int32, position: Int) -> Int? {
        let queue = queues[Int(q)]
        return configuration.estimatedWait.estimatedWait(position: position, staffedAgents: queue.staffed,
                                                         availableAgents: queue.available.count,
                                                         handleTimeSeconds: queue.handleTimeSeconds)
    }

    /// Live figures of a queue.
    public func statistics(for queue: ACDQueueID, now: Date) -> QueueStatistics? {
        queueIndex[queue].map { statistics(queue: $0, now: now) }
    }

    func statistics(queue q: Int32, now: Date) -> QueueStatistics {
        let queue = queues[Int(q)]
        let oldest = queue.waiting.oldest.flatMap { calls[Int($0.call)]?.joinedAt }
        return QueueStatistics(queue: queue.id, waiting: queue.waiting.count, oldestWaitingSince: oldest,
                               availableAgents: queue.available.count, staffedAgents: queue.staffed,
                               estimatedWaitSeconds: estimatedWait(queue: q, position: queue.waiting.count + 1),
                               answered: queue.answered, answeredWithinServiceLevel: queue.answeredWithinServiceLevel,
                               abandoned: queue.abandoned, overflowed: queue.overflowed)
    }

    /// Calls waiting in a queue, in the order they will be served when every agent qualifies.
    public func waitingCalls(in queue: ACDQueueID) -> [ACDCallID] {
        guard let q = queueIndex[queue] else { return [] }
        return queues[Int(q)].waiting.all.flatMap { $0.entries.compactMap { calls[Int($0.call)]?.id } }
    }

    /// Calls the ACD currently holds (waiting, ringing, connected, awaiting callback), sorted.
    public var activeCalls: [ACDCallID] { callIndex.keys.sorted() }

    /// The agent a connected or ringing call is with (first one for ring-all).
    public func agents(of call: ACDCallID) -> [ACDAgentID] {
        guard let c = callIndex[call], let record = calls[Int(c)] else { return [] }
        switch record.phase {
        case .offered(let list): return list.map { agents[Int($0)].id }
        case .dialing(let a), .connected(let a): return [agents[Int(a)].id]
        case .waiting, .parked: return []
        }
    }
}
