import CallCenterModel
import Foundation

extension ACDEngine {
    /// First escalation level at which the agent qualifies for callers of this queue and lane, or nil.
    func qualifyingLevel(agent: AgentRecord, tier: Int, queue: QueueRecord, lane: Int) -> Int? {
        guard agent.meets(queue.waiting.lanes[lane].extras) else { return nil }
        for (i, level) in queue.levels.enumerated() where tier <= level.maxTier && agent.meets(level.skills) {
            return i
        }
        return nil
    }

    /// Tries to place a waiting call with the best available qualified agent(s) of its queue.
    mutating func dispatchCall(_ c: Int32, now: Date) {
        guard let call = calls[Int(c)], call.phase == .waiting else { return }
        let q = call.queue
        let queue = queues[Int(q)]
        guard queue.available.count > 0 else { return }
        let reached = queue.level(afterWaiting: now.timeIntervalSince(call.joinedAt))
        let tierLimit = queue.tierLimitUpTo[reached]
        let strategy = queue.config.strategy
        let collectAll = strategy == .ringAll || strategy == .random || strategy == .weightedRandom

        for bucket in queue.available.tiers where bucket.tier <= tierLimit {
            let entries = bucket.entries
            guard !entries.isEmpty else { continue }
            var picked: [(agent: Int32, weight: Int)] = []
            let start = strategy == .roundRobin
                ? AvailableAgentIndex.firstAfter(position: queue.roundRobinCursor, in: entries) : 0
            for n in 0..<entries.count {
                let a = entries[(start + n) % entries.count].agent
                if call.excluded.contains(a) { continue }
                let agent = agents[Int(a)]
                guard let m = agent.membership(in: q),
                      let level = qualifyingLevel(agent: agent, tier: agent.memberships[m].tier, queue: queue, lane: call.lane),
                      level <= reached else { continue }
                picked.append((a, agent.memberships[m].weight))
                if !collectAll { break }
            }
            guard !picked.isEmpty else { continue }
            switch strategy {
            case .ringAll:
                offer(c, to: picked.map(\.agent), now: now)
            case .random:
                offer(c, to: [picked[Int(random.next() % UInt64(picked.count))].agent], now: now)
            case .weightedRandom:
                let total = picked.reduce(0) { $0 + max(1, $1.weight) }
                var roll = Int(random.next() % UInt64(total))
                var chosen = picked[0].agent
                for p in picked {
                    roll -= max(1, p.weight)
                    if roll < 0 { chosen = p.agent; break }
                }
                offer(c, to: [chosen], now: now)
            default:
                offer(c, to: [picked[0].agent], now: now)
            }
            return
        }
    }

    /// Tries to give a newly available agent the best waiting caller across their queues:
    /// highest priority first, then the longest wait multiplied by the queue's weight.
    mutating func dispatchAgent(_ a: Int32, now: Date) {
        let agent = agents[Int(a)]
        guard agent.isAvailable else { return }
        var best: (priority: Int, weightedWait: Double, seq: UInt64, call: Int32)?
        for m in agent.memberships {
            let queue = queues[Int(m.queue)]
            guard queue.waiting.count > 0 else { continue }
            let weight = Double(queue.config.weight)
            for (l, lane) in queue.waiting.lanes.enumerated() where !lane.levels.isEmpty {
                guard let needed = qualifyingLevel(agent: agent, tier: m.tier, queue: queue, lane: l) else { continue }
                for level in lane.levels {
                    if let b = best, b.priority > level.priority { break }
                    guard let head = level.entries.first(where: { !calls[Int($0.call)]!.excluded.contains(a) }) else { continue }
                    let call = calls[Int(head.call)]!
                    let waited = now.timeIntervalSince(call.joinedAt)
                    guard queue.level(afterWaiting: waited) >= needed else { continue }
                    let candidate = (level.priority, waited * weight, head.seq, head.call)
                    if let b = best {
                        let better = candidate.0 != b.priority ? candidate.0 > b.priority
                            : candidate.1 != b.weightedWait ? candidate.1 > b.weightedWait : candidate.2 < b.seq
                        if better { best = candidate }
                    } else {
                        best = candidate
                    }
                    break
                }
            }
        }
        if let best { offer(best.call, to: [a], now: now) }
    }

    /// Reserves the agents and rings them (or dials back for a callback).
    mutating func offer(_ c: Int32, to list: [Int32], now: Date) {
        guard var call = calls[Int(c)] else { return }
        let q = call.queue
        queues[Int(q)].waiting.remove(.init(seq: call.seq, call: c), priority: call.priority, lane: call.lane)
        touch(q)
        let ring = Double(queues[Int(q)].config.ringTimeoutSeconds)
        if let number = call.callbackNumber {
            let a = list[0]
            call.phase = .dialing(a)
            calls[Int(c)] = call
            setState(a, .reserved(call: call.id), reason: .dialBack, queue: q, now: now)
            actions.append(.dialBack(call: call.id, agent: agents[Int(a)].id, number: number))
            schedule(at: now.addingTimeInterval(ring + configuration.dialBackGraceSeconds),
                     .ringTimeout(call: c, callGeneration: call.generation, agent: a, agentGeneration: agents[Int(a)].generation))
        } else {
            call.phase = .offered(list)
            calls[Int(c)] = call
            for a in list {
                setState(a, .reserved(call: call.id), reason: .offered, queue: q, now: now)
                actions.append(.offer(call: call.id, agent: agents[Int(a)].id, queue: queues[Int(q)].id))
                schedule(at: now.addingTimeInterval(ring),
                         .ringTimeout(call: c, callGeneration: call.generation, agent: a, agentGeneration: agents[Int(a)].generation))
            }
        }
        if queues[Int(q)].config.strategy == .roundRobin, let m = agents[Int(list[0])].membership(in: q) {
            queues[Int(q)].roundRobinCursor = agents[Int(list[0])].memberships[m].position
        }
        applyLeaveWhenEmpty(queue: q, now: now)
    }
}
