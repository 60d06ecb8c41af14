import CallCenterModel
import Foundation

extension ACDEngine {
    mutating func apply(_ event: ACDEvent, now: Date) {
        switch event {
        case .login(let id):
            if let a = agentIndex[id] { login(a, now: now) }
        case .logout(let id):
            if let a = agentIndex[id] { logout(a, now: now) }
        case .ready(let id):
            if let a = agentIndex[id] { ready(a, now: now) }
        case .startBreak(let id, let reason):
            if let a = agentIndex[id] { startBreak(a, reason: reason, now: now) }
        case .enqueue(let id, let queue, let priority, let skills, let attributes):
            enqueue(id, queue: queue, priority: priority, requiredSkills: skills, attributes: attributes, now: now)
        case .callerHungUp(let id):
            if let c = callIndex[id] { callerHungUp(c, now: now) }
        case .digit(let id, let key):
            guard let c = callIndex[id], let call = calls[Int(c)], call.phase == .waiting, call.callbackNumber == nil,
                  queues[Int(call.queue)].config.exitKey == key else { return }
            overflow(c, reason: .exitKey)
        case .answered(let id, let agentID):
            if let c = callIndex[id], let a = agentIndex[agentID] { answered(c, agent: a, now: now) }
        case .rejected(let id, let agentID):
            guard let c = callIndex[id], let a = agentIndex[agentID], case .offered(let list) = calls[Int(c)]?.phase,
                  list.contains(a) else { return }
            missed(agent: a, call: c, reason: .rejected, now: now)
        case .callEnded(let id):
            guard let c = callIndex[id] else { return }
            if case .connected(let a) = calls[Int(c)]!.phase {
                endCall(agent: a, call: c, now: now)
                release(c)
            } else {
                callerHungUp(c, now: now)
            }
        case .requestCallback(let id, let number):
            guard let c = callIndex[id], let call = calls[Int(c)], call.phase == .waiting, call.callbackNumber == nil,
                  queues[Int(call.queue)].config.callback.enabled, !number.isEmpty else { return }
            calls[Int(c)]!.callbackNumber = number
            let window = Double(queues[Int(call.queue)].config.callback.windowSeconds)
            schedule(at: now.addingTimeInterval(window), .callbackWindow(call: c, callGeneration: call.generation))
        case .callbackConnected(let id):
            guard let c = callIndex[id], case .dialing(let a) = calls[Int(c)]!.phase else { return }
            connect(c, agent: a, now: now)
        case .callbackFailed(let id):
            guard let c = callIndex[id], case .dialing(let a) = calls[Int(c)]!.phase else { return }
            callbackFailed(c, agent: a, now: now)
        }
    }

    mutating func callerHungUp(_ c: Int32, now: Date) {
        guard let call = calls[Int(c)] else { return }
        switch call.phase {
        case .waiting:
            if call.callbackNumber != nil { return }  // expected: the caller hangs up after asking for a callback
            queues[Int(call.queue)].abandoned += 1
            release(c)
        case .offered(let list):
            queues[Int(call.queue)].abandoned += 1
            release(c)
            for a in list {
                actions.append(.cancelOffer(call: call.id, agent: agents[Int(a)].id))
                makeAvailableOrPending(a, reason: .offerCancelled, now: now)
            }
        case .connected(let a):
            endCall(agent: a, call: c, now: now)
            release(c)
        case .dialing, .parked:
            return  // the original leg is gone by design; callback results drive these
        }
    }

    mutating func answered(_ c: Int32, agent a: Int32, now: Date) {
        guard let call = calls[Int(c)], case .offered(let list) = call.phase, list.contains(a) else { return }
        for other in list where other != a {
            actions.append(.cancelOffer(call: call.id, agent: agents[Int(other)].id))
            makeAvailableOrPending(other, reason: .offerCancelled, now: now)
        }
        connect(c, agent: a, now: now)
    }

    private mutating func connect(_ c: Int32, agent a: Int32, now: Date) {
        guard var call = calls[Int(c)] else { return }
        call.phase = .connected(a)
        calls[Int(c)] = call
        let q = call.queue
        queues[Int(q)].answered += 1
        if now.timeIntervalSince(call.joinedAt) <= Double(queues[Int(q)].config.serviceLevelSeconds) {
            queues[Int(q)].answeredWithinServiceLevel += 1
        }
        agents[Int(a)].consecutiveMisses = 0
        agents[Int(a)].callsAnswered += 1
        agents[Int(a)].answeredAt = now
        agents[Int(a)].call = c
        agents[Int(a)].callQueue = q
        setState(a, .onCall(call: call.id), reason: .answered, queue: q, now: now)
    }

    private mutating func callbackFailed(_ c: Int32, agent a: Int32, now: Date) {
        guard var call = calls[Int(c)] else { return }
        let settings = queues[Int(call.queue)].config.callback
        call.callbackAttempts += 1
        call.phase = .parked
        calls[Int(c)] = call
        if call.callbackAttempts >= settings.maxAttempts {
            actions.append(.callbackAbandoned(call: call.id))
            release(c)
        } else {
            schedule(at: now.addingTimeInterval(Double(settings.retryIntervalSeconds)),
                     .callbackRetry(call: c, callGeneration: call.generation))
        }
        makeAvailableOrPending(a, reason: .callbackFailed, now: now)
    }

    // MARK: Timers

    mutating func fireTimers(upTo now: Date) {
        let limit = now.timeIntervalSinceReferenceDate
        while let next = timers.min, next.deadline <= limit {
            _ = timers.removeMin()
            fire(next.kind, at: Date(timeIntervalSinceReferenceDate: next.deadline))
        }
    }

    private func live(_ c: Int32, _ generation: UInt32) -> CallRecord? {
        guard Int(c) < calls.count, callGenerations[Int(c)] == generation else { return nil }
        return calls[Int(c)]
    }

    private mutating func fire(_ kind: ACDTimer.Kind, at now: Date) {
        switch kind {
        case .ringTimeout(let c, let cg, let a, let ag):
            guard let call = live(c, cg), agents[Int(a)].generation == ag, case .reserved = agents[Int(a)].state else { return }
            switch call.phase {
            case .offered(let list) where list.contains(a):
                actions.append(.cancelOffer(call: call.id, agent: agents[Int(a)].id))
                missed(agent: a, call: c, reason: .noAnswer, now: now)
            case .dialing(a):
                actions.append(.cancelDialBack(call: call.id, agent: agents[Int(a)].id))
                callbackFailed(c, agent: a, now: now)
            default:
                return
            }
        case .wrapUpEnd(let a, let ag):
            guard agents[Int(a)].generation == ag, case .wrapUp = agents[Int(a)].state else { return }
            finishWrapUp(a, now: now)
            makeAvailableOrPending(a, reason: .wrapUpEnded, now: now)
        case .escalate(let c, let cg):
            if live(c, cg)?.phase == .waiting { dispatchCall(c, now: now) }
        case .maxWait(let c, let cg):
            guard let call = live(c, cg), call.phase == .waiting, call.callbackNumber == nil else { return }
            overflow(c, reason: .maxWait)
        case .announcePosition(let c, let cg), .announceWait(let c, let cg):
            guard let call = live(c, cg), call.callbackNumber == nil else { return }
            let settings = queues[Int(call.queue)].config.announcements
            let isPosition = if case .announcePosition = kind { true } else { false }
            if call.phase == .waiting { announce(c, position: isPosition, wait: !isPosition) }
            if let interval = isPosition ? settings.positionIntervalSeconds : settings.estimatedWaitIntervalSeconds {
                schedule(at: now.addingTimeInterval(Double(interval)), kind)
            }
        case .callbackRetry(let c, let cg):
            guard live(c, cg)?.phase == .parked else { return }
            requeue(c, now: now)
        case .callbackWindow(let c, let cg):
            guard let call = live(c, cg) else { return }
            switch call.phase {
            case .waiting, .parked:
                actions.append(.callbackAbandoned(call: call.id))
                release(c)
            default:
                return
            }
        case .exclusionEnd(let c, let cg):
            guard let call = live(c, cg) else { return }
            // Everyone else first: while another agent's phone rings for this call, the agents who
            // declined or missed it stay excluded (looked at again after another retry delay).
            if case .offered = call.phase {
                schedule(at: now.addingTimeInterval(configuration.retryAfterMissSeconds), .exclusionEnd(call: c, callGeneration: cg))
                return
            }
            calls[Int(c)]!.excluded.removeAll()
            dispatchCall(c, now: now)
        }
    }
}
