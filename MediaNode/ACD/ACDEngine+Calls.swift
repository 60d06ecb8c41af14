import CallCenterModel
import Foundation

extension ACDEngine {
    mutating func enqueue(_ id: ACDCallID, queue queueID: ACDQueueID, priority requested: Int,
                          requiredSkills: [SkillRequirement], attributes: [String: String], now: Date) {
        guard callIndex[id] == nil else { return }  // duplicate enqueue: the call is already held
        guard let q = queueIndex[queueID] else {
            actions.append(.overflow(call: id, target: nil, reason: .unknownQueue))
            return
        }
        let config = queues[Int(q)].config
        touch(q)
        var priority = requested
        for rule in config.priorityRules where attributes[rule.attribute] == rule.equals {
            priority = max(priority, rule.priority)
        }
        if let max = config.maxLength, queues[Int(q)].waiting.count >= max {
            return refuse(id, queue: q, reason: .maxLength)
        }
        if isEmpty(queue: q, by: config.joinEmpty) {
            return refuse(id, queue: q, reason: .joinEmpty)
        }
        let extras = requiredSkills.map { InternedRequirement(skill: intern($0.skill), minLevel: $0.minLevel) }.sorted()
        let lane = queues[Int(q)].waiting.lane(for: extras)
        let c: Int32
        if let free = freeCallSlots.popLast() {
            c = free
        } else {
            c = Int32(calls.count)
            calls.append(nil)
            callGenerations.append(0)
        }
        nextSeq += 1
        let gen = callGenerations[Int(c)]
        calls[Int(c)] = CallRecord(id: id, queue: q, lane: lane, priority: priority, seq: nextSeq, joinedAt: now, generation: gen)
        callIndex[id] = c
        queues[Int(q)].waiting.insert(.init(seq: nextSeq, call: c), priority: priority, lane: lane)

        actions.append(.playMusicOnHold(call: id, prompt: config.announcements.musicOnHoldPrompt))
        let levels = queues[Int(q)].levels
        for level in levels.dropFirst() {
            schedule(at: now.addingTimeInterval(level.afterSeconds), .escalate(call: c, callGeneration: gen))
        }
        if let w = config.maxWaitSeconds { schedule(at: now.addingTimeInterval(Double(w)), .maxWait(call: c, callGeneration: gen)) }
        if let s = config.announcements.positionIntervalSeconds {
            schedule(at: now.addingTimeInterval(Double(s)), .announcePosition(call: c, callGeneration: gen))
        }
        if let s = config.announcements.estimatedWaitIntervalSeconds {
            schedule(at: now.addingTimeInterval(Double(s)), .announceWait(call: c, callGeneration: gen))
        }
        dispatchCall(c, now: now)
        if config.announcements.announceOnJoin, calls[Int(c)]?.phase == .waiting {
            announce(c, position: true, wait: true)
        }
    }

    private mutating func refuse(_ id: ACDCallID, queue q: Int32, reason: OverflowReason) {
        queues[Int(q)].overflowed += 1
        actions.append(.overflow(call: id, target: queues[Int(q)].config.overflow, reason: reason))
    }

    func isEmpty(queue q: Int32, by condition: QueueEmptyCondition) -> Bool {
        switch condition {
        case .never: false
        case .noAgentsLoggedIn: queues[Int(q)].loggedIn == 0
        case .noAgentsAvailable: queues[Int(q)].available.count == 0
        }
    }

    mutating func announce(_ c: Int32, position: Bool, wait: Bool) {
        guard let call = calls[Int(c)], call.phase == .waiting, call.callbackNumber == nil,
              let p = queues[Int(call.queue)].waiting.position(of: .init(seq: call.seq, call: c), priority: call.priority)
        else { return }
        var ewt = wait ? estimatedWait(queue: call.queue, position: p) : nil
        if let cap = queues[Int(call.queue)].config.announcements.maxAnnouncedWaitSeconds, let e = ewt { ewt = min(e, cap) }
        actions.append(.announce(call: call.id, position: position ? p : nil, estimatedWaitSeconds: ewt))
    }

    /// Removes a call from the engine entirely and retires its timers.
    mutating func release(_ c: Int32) {
        guard let call = calls[Int(c)] else { return }
        if call.phase == .waiting {
            queues[Int(call.queue)].waiting.remove(.init(seq: call.seq, call: c), priority: call.priority, lane: call.lane)
        }
        touch(call.queue)
        callIndex[call.id] = nil
        calls[Int(c)] = nil
        callGenerations[Int(c)] &+= 1
        freeCallSlots.append(c)
    }

    /// The call leaves its queue unanswered.
    mutating func overflow(_ c: Int32, reason: OverflowReason) {
        guard let call = calls[Int(c)] else { return }
        queues[Int(call.queue)].overflowed += 1
        actions.append(.overflow(call: call.id, target: queues[Int(call.queue)].config.overflow, reason: reason))
        release(c)
    }

    /// Leave-when-empty: overflows the waiting callers of the agent's queues that became empty.
    mutating func applyLeaveWhenEmpty(agent a: Int32, now: Date) {
        for m in agents[Int(a)].memberships { applyLeaveWhenEmpty(queue: m.queue, now: now) }
    }

    mutating func applyLeaveWhenEmpty(queue q: Int32, now: Date) {
        let rule = queues[Int(q)].config.leaveWhenEmpty
        guard rule != .never, queues[Int(q)].waiting.count > 0, isEmpty(queue: q, by: rule) else { return }
        let entries = queues[Int(q)].waiting.allEntries.sorted { $0.seq < $1.seq }
        for e in entries where calls[Int(e.call)]?.callbackNumber == nil {
            overflow(e.call, reason: .leaveEmpty)
        }
    }

    /// Puts a call back in its place (same join sequence) after an offer fell through.
    mutating func requeue(_ c: Int32, now: Date) {
        guard var call = calls[Int(c)] else { return }
        call.phase = .waiting
        calls[Int(c)] = call
        queues[Int(call.queue)].waiting.insert(.init(seq: call.seq, call: c), priority: call.priority, lane: call.lane)
        touch(call.queue)
        if call.callbackNumber == nil, let w = queues[Int(call.queue)].config.maxWaitSeconds,
           now.timeIntervalSince(call.joinedAt) >= Double(w) {
            return overflow(c, reason: .maxWait)
        }
        dispatchCall(c, now: now)
    }

    /// An offered/dialling agent is released from a call without taking it.
    mutating func releaseReservation(agent a: Int32, call callID: ACDCallID, countAsMiss: Bool, now: Date) {
        guard let c = callIndex[callID], var call = calls[Int(c)] else { return }
        var remaining: [Int32] = []
        switch call.phase {
        case .offered(let list):
            remaining = list.filter { $0 != a }
            call.phase = remaining.isEmpty ? .waiting : .offered(remaining)
            if !countAsMiss { actions.append(.cancelOffer(call: callID, agent: agents[Int(a)].id)) }
        case .dialing:
            call.phase = .waiting
            actions.append(.cancelDialBack(call: callID, agent: agents[Int(a)].id))
        default:
            return
        }
        if countAsMiss && !call.excluded.contains(a) {
            call.excluded.append(a)
            schedule(at: now.addingTimeInterval(configuration.retryAfterMissSeconds),
                     .exclusionEnd(call: c, callGeneration: call.generation))
        }
        calls[Int(c)] = call
        if remaining.isEmpty {
            call.phase = .offered([])  // requeue() sets it back to waiting and re-inserts
            calls[Int(c)] = call
            requeue(c, now: now)
        }
    }

    /// No answer or declined: the agent is released, counts a miss, maybe goes on automatic break.
    mutating func missed(agent a: Int32, call c: Int32, reason: AgentStateReason, now: Date) {
        guard let call = calls[Int(c)] else { return }
        let q = call.queue
        agents[Int(a)].consecutiveMisses += 1
        let limit = queues[Int(q)].config.maxConsecutiveMisses
        releaseReservation(agent: a, call: call.id, countAsMiss: true, now: now)
        guard case .reserved = agents[Int(a)].state else { return }
        if let limit, agents[Int(a)].consecutiveMisses >= limit {
            setState(a, .onBreak(reason: queues[Int(q)].config.autoBreakReason), reason: .autoBreak, queue: q, now: now)
            applyLeaveWhenEmpty(agent: a, now: now)
        } else {
            makeAvailableOrPending(a, reason: reason, now: now)
        }
    }
}
