import CallCenterModel
import Foundation

extension ACDEngine {
    /// Adds an agent or applies a changed profile (skills, queues, tiers, weights) from a new
    /// configuration snapshot. The agent's state, calls and statistics are kept.
    public mutating func configureAgent(_ id: ACDAgentID, _ config: AgentConfiguration, now: Date) -> [ACDAction] {
        lastEventTime = now
        fireTimers(upTo: now)
        var skills = config.skills.map { (skill: intern($0.skill), level: $0.level) }
        skills.sort { $0.skill < $1.skill }
        guard let a = agentIndex[id] else {
            let a = Int32(agents.count)
            agentIndex[id] = a
            agents.append(AgentRecord(id: id, skills: skills, memberships: []))
            agents[Int(a)].memberships = memberships(for: a, config, keeping: [])
            return takeActionsForConfiguration(now: now)
        }
        let ai = Int(a)
        let wasAvailable = agents[ai].isAvailable
        if wasAvailable { removeFromAvailable(a) }
        let (logged, staffed) = (agents[ai].isLoggedIn ? 1 : 0, agents[ai].isStaffed ? 1 : 0)
        for m in agents[ai].memberships {
            queues[Int(m.queue)].loggedIn -= logged
            queues[Int(m.queue)].staffed -= staffed
            queues[Int(m.queue)].members.removeAll { $0 == a }
            touch(m.queue)
        }
        let old = agents[ai].memberships
        agents[ai].skills = skills
        agents[ai].memberships = memberships(for: a, config, keeping: old)
        for m in agents[ai].memberships {
            queues[Int(m.queue)].loggedIn += logged
            queues[Int(m.queue)].staffed += staffed
            touch(m.queue)
        }
        if wasAvailable {
            insertIntoAvailable(a)
            dispatchAgent(a, now: now)
        }
        applyLeaveWhenEmpty(agent: a, now: now)
        for m in old where agents[ai].membership(in: m.queue) == nil { applyLeaveWhenEmpty(queue: m.queue, now: now) }
        return takeActionsForConfiguration(now: now)
    }

    /// Memberships for a profile, keeping the positions of queues the agent already served.
    private mutating func memberships(for a: Int32, _ config: AgentConfiguration, keeping old: [MembershipRecord]) -> [MembershipRecord] {
        var result: [MembershipRecord] = []
        for m in config.queues {
            guard let q = queueIndex[ACDQueueID(m.queue)], !result.contains(where: { $0.queue == q }) else { continue }
            let position: Int32
            if let kept = old.first(where: { $0.queue == q }) {
                position = kept.position
            } else {
                position = queues[Int(q)].nextPosition
                queues[Int(q)].nextPosition += 1
            }
            queues[Int(q)].members.append(a)
            result.append(MembershipRecord(queue: q, tier: m.tier, weight: m.weight, position: position))
        }
        return result
    }

    /// Adds a queue or applies changed settings. Waiting callers keep their places; the available
    /// agents are re-sorted for the (possibly new) strategy and offered callers they now qualify for.
    public mutating func configureQueue(_ id: ACDQueueID, _ config: QueueConfiguration, now: Date) -> [ACDAction] {
        lastEventTime = now
        fireTimers(upTo: now)
        guard let q = queueIndex[id] else {
            queueIndex[id] = Int32(queues.count)
            queues.append(makeQueue(id: id, config: config))
            return takeActionsForConfiguration(now: now)
        }
        let available = queues[Int(q)].members.filter { agents[Int($0)].isAvailable }
        for a in available { removeFromAvailable(a) }
        var rebuilt = makeQueue(id: id, config: config)
        rebuilt.members = queues[Int(q)].members
        rebuilt.nextPosition = queues[Int(q)].nextPosition
        rebuilt.waiting = queues[Int(q)].waiting
        rebuilt.loggedIn = queues[Int(q)].loggedIn
        rebuilt.staffed = queues[Int(q)].staffed
        rebuilt.roundRobinCursor = queues[Int(q)].roundRobinCursor
        rebuilt.handleTimeSeconds = queues[Int(q)].handleTimeSeconds
        rebuilt.answered = queues[Int(q)].answered
        rebuilt.answeredWithinServiceLevel = queues[Int(q)].answeredWithinServiceLevel
        rebuilt.abandoned = queues[Int(q)].abandoned
        rebuilt.overflowed = queues[Int(q)].overflowed
        queues[Int(q)] = rebuilt
        for a in available { insertIntoAvailable(a) }
        touch(q)
        // New escalation steps and max wait apply to callers already waiting, from their join time.
        let waiting = queues[Int(q)].waiting.allEntries.sorted { $0.seq < $1.seq }
        for e in waiting {
            guard let call = calls[Int(e.call)] else { continue }
            for level in queues[Int(q)].levels.dropFirst() where call.joinedAt.addingTimeInterval(level.afterSeconds) > now {
                schedule(at: call.joinedAt.addingTimeInterval(level.afterSeconds), .escalate(call: e.call, callGeneration: call.generation))
            }
            if let w = config.maxWaitSeconds {
                schedule(at: max(now, call.joinedAt.addingTimeInterval(Double(w))), .maxWait(call: e.call, callGeneration: call.generation))
            }
            dispatchCall(e.call, now: now)
        }
        applyLeaveWhenEmpty(queue: q, now: now)
        return takeActionsForConfiguration(now: now)
    }

    /// Self-healing against lost events: `liveCalls` are the calls the media node still has. Any
    /// call the ACD holds that is not among them is treated as hung up, so no agent stays reserved
    /// or on a call that no longer exists. Callback requests (no caller leg by design) are kept.
    public mutating func reconcile(liveCalls: Set<ACDCallID>, now: Date) -> [ACDAction] {
        lastEventTime = now
        fireTimers(upTo: now)
        for id in callIndex.keys.sorted() where !liveCalls.contains(id) {
            guard let c = callIndex[id], let call = calls[Int(c)], call.callbackNumber == nil else { continue }
            callerHungUp(c, now: now)
        }
        return takeActionsForConfiguration(now: now)
    }

    private mutating func takeActionsForConfiguration(now: Date) -> [ACDAction] {
        advance(to: now)
    }
}
