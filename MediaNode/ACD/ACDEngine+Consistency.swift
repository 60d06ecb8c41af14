extension ACDEngine {
    /// Checks the engine's invariants and returns a description of each violation (empty when
    /// healthy). Walks everything: for tests and occasional audits, not for the hot path.
    ///
    /// * every call is in exactly one place, and the agents it names hold it (and only it);
    /// * every reserved or on-call agent is justified by a call that names them;
    /// * the available indexes and per-queue counts match the agents' states;
    /// * work conservation: no available agent qualifies for a waiting caller of their queues
    ///   (except callers they just missed, during the retry delay).
    public func consistencyViolations() -> [String] {
        var problems: [String] = []
        var waitingSeen: [Int32: Int] = [:]
        for queue in queues {
            for e in queue.waiting.allEntries { waitingSeen[e.call, default: 0] += 1 }
        }
        var holder: [Int32: Int32] = [:]
        for (i, slot) in calls.enumerated() {
            guard let call = slot else { continue }
            let c = Int32(i)
            if callIndex[call.id] != c { problems.append("call \(call.id) not indexed") }
            let inQueue = waitingSeen[c] ?? 0
            if (call.phase == .waiting) != (inQueue == 1) || inQueue > 1 {
                problems.append("call \(call.id) phase \(call.phase) but in waiting index \(inQueue)x")
            }
            var named: [Int32] = []
            switch call.phase {
            case .offered(let list): named = list
            case .dialing(let a), .connected(let a): named = [a]
            case .waiting, .parked: break
            }
            for a in named {
                if let other = holder[a] { problems.append("agent \(agents[Int(a)].id) holds \(call.id) and slot \(other)") }
                holder[a] = c
                switch agents[Int(a)].state {
                case .reserved(call.id), .onCall(call.id): break
                default: problems.append("agent \(agents[Int(a)].id) is \(agents[Int(a)].state) but named by \(call.id)")
                }
            }
        }
        for (i, agent) in agents.enumerated() {
            switch agent.state {
            case .reserved(let id), .onCall(let id):
                if holder[Int32(i)] == nil || callIndex[id] == nil { problems.append("agent \(agent.id) stuck in \(agent.state)") }
            default:
                if holder[Int32(i)] != nil { problems.append("agent \(agent.id) is \(agent.state) but holds a call") }
            }
        }
        for (qi, queue) in queues.enumerated() {
            let members = queue.members.map { agents[Int($0)] }
            if queue.available.count != members.filter(\.isAvailable).count { problems.append("queue \(queue.id) available count") }
            if queue.loggedIn != members.filter(\.isLoggedIn).count { problems.append("queue \(queue.id) logged-in count") }
            if queue.staffed != members.filter(\.isStaffed).count { problems.append("queue \(queue.id) staffed count") }
            for e in queue.waiting.allEntries {
                let call = calls[Int(e.call)]!
                for a in queue.members where agents[Int(a)].isAvailable && !call.excluded.contains(a) {
                    let agent = agents[Int(a)]
                    let m = agent.memberships[agent.membership(in: Int32(qi))!]
                    if let level = qualifyingLevel(agent: agent, tier: m.tier, queue: queue, lane: call.lane),
                       level <= queue.level(afterWaiting: lastEventTime.timeIntervalSince(call.joinedAt)) {
                        problems.append("agent \(agent.id) idle while \(call.id) waits in \(queue.id)")
                    }
                }
            }
        }
        return problems
    }
}
