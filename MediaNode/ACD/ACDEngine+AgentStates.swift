import CallCenterModel
import Foundation

extension ACDEngine {
    /// The one place an agent changes state: keeps the available indexes and per-queue counts in
    /// step, bumps the agent's generation (retiring their timers) and emits the transition.
    mutating func setState(_ a: Int32, _ new: AgentState, reason: AgentStateReason, queue: Int32?, now: Date) {
        let ai = Int(a)
        let old = agents[ai].state
        guard old != new else { return }
        let wasLoggedIn = agents[ai].isLoggedIn, wasStaffed = agents[ai].isStaffed, wasAvailable = agents[ai].isAvailable
        if wasAvailable { removeFromAvailable(a) }
        agents[ai].state = new
        agents[ai].generation &+= 1
        if agents[ai].isAvailable { insertIntoAvailable(a) }
        let dLogged = (agents[ai].isLoggedIn ? 1 : 0) - (wasLoggedIn ? 1 : 0)
        let dStaffed = (agents[ai].isStaffed ? 1 : 0) - (wasStaffed ? 1 : 0)
        for m in agents[ai].memberships {
            queues[Int(m.queue)].loggedIn += dLogged
            queues[Int(m.queue)].staffed += dStaffed
            touch(m.queue)
        }
        actions.append(.agentStateChanged(AgentStateChange(
            agent: agents[ai].id, from: old, to: new, reason: reason,
            queue: queue.map { queues[Int($0)].id }, at: now)))
    }

    mutating func insertIntoAvailable(_ a: Int32) {
        let ai = Int(a)
        for (i, m) in agents[ai].memberships.enumerated() {
            let key = availableKey(agent: agents[ai], membership: m)
            agents[ai].memberships[i].key = key
            queues[Int(m.queue)].available.insert(.init(key: key, position: m.position, agent: a), tier: m.tier)
        }
    }

    mutating func removeFromAvailable(_ a: Int32) {
        for m in agents[Int(a)].memberships {
            queues[Int(m.queue)].available.remove(.init(key: m.key, position: m.position, agent: a), tier: m.tier)
        }
    }

    /// Sort key of an available agent in a queue: smaller is offered first.
    private func availableKey(agent: AgentRecord, membership m: MembershipRecord) -> Double {
        let queue = queues[Int(m.queue)]
        let idle = agent.idleSince.timeIntervalSinceReferenceDate
        switch queue.config.strategy {
        case .longestIdle, .priority:
            return idle
        case .skillsBased:
            guard queue.config.skillSelection == .bestSkilled else { return idle }
            let total = queue.levels[0].skills.reduce(0) { $0 + (agent.level(of: $1.skill) ?? 0) }
            return Double(-total) * 1e10 + idle
        case .fewestCalls:
            return Double(agent.callsAnswered) * 1e10 + idle
        case .leastTalkTime:
            return agent.talkSeconds
        case .roundRobin, .linear, .random, .weightedRandom, .ringAll:
            return Double(m.position)
        }
    }

    // MARK: Agent commands

    mutating func login(_ a: Int32, now: Date) {
        guard case .loggedOut = agents[Int(a)].state else { return }
        agents[Int(a)].idleSince = now
        agents[Int(a)].consecutiveMisses = 0
        setState(a, .available, reason: .login, queue: nil, now: now)
        dispatchAgent(a, now: now)
    }

    mutating func logout(_ a: Int32, now: Date) {
        let ai = Int(a)
        switch agents[ai].state {
        case .loggedOut:
            return
        case .onCall:
            agents[ai].pendingLogout = true
            return
        case .reserved(let callID):
            releaseReservation(agent: a, call: callID, countAsMiss: false, now: now)
        case .wrapUp:
            finishWrapUp(a, now: now)
        case .available, .onBreak:
            break
        }
        agents[ai].pendingLogout = false
        agents[ai].pendingBreak = nil
        setState(a, .loggedOut, reason: .logout, queue: nil, now: now)
        applyLeaveWhenEmpty(agent: a, now: now)
    }

    mutating func ready(_ a: Int32, now: Date) {
        switch agents[Int(a)].state {
        case .onBreak:
            agents[Int(a)].idleSince = now
            agents[Int(a)].consecutiveMisses = 0
            setState(a, .available, reason: .ready, queue: nil, now: now)
            dispatchAgent(a, now: now)
        case .wrapUp:
            finishWrapUp(a, now: now)
            makeAvailableOrPending(a, reason: .wrapUpEnded, now: now)
        case .onCall:
            agents[Int(a)].pendingBreak = nil
        case .loggedOut, .available, .reserved:
            break
        }
    }

    mutating func startBreak(_ a: Int32, reason: String, now: Date) {
        switch agents[Int(a)].state {
        case .available:
            setState(a, .onBreak(reason: reason), reason: .breakRequested, queue: nil, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        case .wrapUp:
            finishWrapUp(a, now: now)
            setState(a, .onBreak(reason: reason), reason: .breakRequested, queue: nil, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        case .reserved(let callID):
            releaseReservation(agent: a, call: callID, countAsMiss: false, now: now)
            setState(a, .onBreak(reason: reason), reason: .breakRequested, queue: nil, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        case .onCall:
            agents[Int(a)].pendingBreak = reason
        case .onBreak, .loggedOut:
            break
        }
    }

    /// Closes the wrap-up accounting (feeds the queue's smoothed handle time).
    mutating func finishWrapUp(_ a: Int32, now: Date) {
        let ai = Int(a)
        guard case .wrapUp = agents[ai].state else { return }
        if let q = agents[ai].callQueue {
            let wrap = agents[ai].wrapStartedAt.map { now.timeIntervalSince($0) } ?? 0
            let handle = agents[ai].lastTalkSeconds + max(0, wrap)
            queues[Int(q)].handleTimeSeconds = configuration.estimatedWait.smoothed(queues[Int(q)].handleTimeSeconds,
                                                                                    observing: handle)
        }
        agents[ai].call = nil
        agents[ai].callQueue = nil
        agents[ai].wrapStartedAt = nil
    }

    /// After a call or wrap-up: honour a pending logout or break, else become available.
    mutating func makeAvailableOrPending(_ a: Int32, reason: AgentStateReason, now: Date) {
        let ai = Int(a)
        if agents[ai].pendingLogout {
            agents[ai].pendingLogout = false
            agents[ai].pendingBreak = nil
            setState(a, .loggedOut, reason: .logout, queue: nil, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        } else if let reason = agents[ai].pendingBreak {
            agents[ai].pendingBreak = nil
            setState(a, .onBreak(reason: reason), reason: .breakRequested, queue: nil, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        } else {
            agents[ai].idleSince = now
            setState(a, .available, reason: reason, queue: nil, now: now)
            dispatchAgent(a, now: now)
        }
    }

    /// A connected call ended: wrap-up for the queue's wrap-up time, or straight back.
    mutating func endCall(agent a: Int32, call c: Int32, now: Date) {
        let ai = Int(a)
        let talk = agents[ai].answeredAt.map { max(0, now.timeIntervalSince($0)) } ?? 0
        agents[ai].talkSeconds += talk
        agents[ai].lastTalkSeconds = talk
        agents[ai].answeredAt = nil
        let q = calls[Int(c)]!.queue
        let wrap = queues[Int(q)].config.wrapUpSeconds
        let callID = calls[Int(c)]!.id
        agents[ai].callQueue = q
        setState(a, .wrapUp(call: callID), reason: .callEnded, queue: q, now: now)
        agents[ai].wrapStartedAt = now
        if wrap > 0 && !agents[ai].pendingLogout {
            schedule(at: now.addingTimeInterval(Double(wrap)), .wrapUpEnd(agent: a, agentGeneration: agents[ai].generation))
        } else {
            finishWrapUp(a, now: now)
            makeAvailableOrPending(a, reason: .wrapUpEnded, now: now)
        }
    }
}
