import CallCenterModel
import Foundation
import Testing
@testable import ACD

@Suite("ACD escalation, fairness, callbacks and EWT")
struct ACDRoutingTests {
    @Test func escalationWidensSkillsOverTimeAndCallerKeepsPlace() {
        let q = QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "billing", minLevel: 8)],
                                   escalation: [QueueEscalationStep(afterSeconds: 60, skills: [SkillRequirement(skill: "billing", minLevel: 3)])])
        var h = ACDHarness(queues: [("q", q)], agents: [
            ("mid", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 5)], queues: member("q"))),
        ])
        h.login("mid")
        h.send(.enqueue("c1", queue: "q"))
        h.advance(by: 10)
        h.send(.enqueue("c2", queue: "q"))
        #expect(h.advance(by: 49).isEmpty)
        let out = h.advance(by: 1)  // c1 reaches 60 s: the level-5 agent now qualifies
        #expect(ACDHarness.offers(out).map(\.0) == ["c1"])
        #expect(h.engine.position(of: "c2") == 1)
    }

    @Test func escalationAddsATier() {
        let q = QueueConfiguration(maxTier: 0, escalation: [QueueEscalationStep(afterSeconds: 30, maxTier: 1)])
        var h = ACDHarness(queues: [("q", q)], agents: [
            ("backup", AgentConfiguration(queues: member("q", tier: 1))),
            ("first", AgentConfiguration(queues: member("q", tier: 0))),
        ])
        h.login("backup", "first")
        // Tier 0 is offered first even though the backup agent is idle longer.
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["first"])
        h.send(.answered("c1", agent: "first"))
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c2", queue: "q"))).isEmpty)
        #expect(ACDHarness.offeredAgents(h.advance(by: 30)) == ["backup"])
    }

    @Test func callSpecificSkillsFromTheIVRAreHonoured() {
        var h = ACDHarness(queues: [("q", QueueConfiguration())], agents: [
            ("en", AgentConfiguration(skills: [SkillLevel(skill: "english", level: 5)], queues: member("q"))),
            ("zh", AgentConfiguration(skills: [SkillLevel(skill: "mandarin", level: 5)], queues: member("q"))),
        ])
        h.login("en", "zh")
        let out = h.send(.enqueue("c1", queue: "q", requiredSkills: [SkillRequirement(skill: "mandarin", minLevel: 2)]))
        #expect(ACDHarness.offeredAgents(out) == ["zh"])
    }

    @Test func agentInTwoQueuesTakesLongestWeightedWait() {
        var h = ACDHarness(queues: [("sales", QueueConfiguration(weight: 1)), ("vip", QueueConfiguration(weight: 3))],
                           agents: [("a1", AgentConfiguration(queues: member("sales", "vip")))])
        h.send(.enqueue("s1", queue: "sales"))
        h.advance(by: 20)
        h.send(.enqueue("v1", queue: "vip"))
        h.advance(by: 10)  // sales waited 30 (x1), vip waited 10 (x3 = 30): tie → earlier joiner wins
        #expect(ACDHarness.offers(h.send(.login("a1"))).map(\.0) == ["s1"])
        h.serve("s1", by: "a1", talk: 0)
        #expect(h.engine.agentState("a1") == .reserved(call: "v1"))
    }

    @Test func weightDecidesBetweenQueues() {
        var h = ACDHarness(queues: [("sales", QueueConfiguration(weight: 1)), ("vip", QueueConfiguration(weight: 3))],
                           agents: [("a1", AgentConfiguration(queues: member("sales", "vip")))])
        h.send(.enqueue("s1", queue: "sales"))
        h.advance(by: 20)
        h.send(.enqueue("v1", queue: "vip"))
        h.advance(by: 20)  // sales 40 x1 = 40, vip 20 x3 = 60
        #expect(ACDHarness.offers(h.send(.login("a1"))).map(\.0) == ["v1"])
    }

    @Test func callbackKeepsPositionAndDialsBack() {
        let q = QueueConfiguration(callback: QueueCallbackSettings(enabled: true, maxAttempts: 2, retryIntervalSeconds: 60, windowSeconds: 3600))
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.send(.enqueue("c1", queue: "q"))
        h.send(.enqueue("c2", queue: "q"))
        h.send(.requestCallback("c1", number: "+8613800000000"))
        h.send(.callerHungUp("c1"))  // the caller leaves the line; the place is kept
        #expect(h.engine.waitingCalls(in: "q") == ["c1", "c2"])
        let out = h.send(.login("a1"))
        #expect(out.contains(.dialBack(call: "c1", agent: "a1", number: "+8613800000000")))
        // First attempt fails: the agent is freed and takes c2; c1 retries after 60 s at the head.
        let failed = h.send(.callbackFailed("c1"))
        #expect(ACDHarness.offers(failed).map(\.0) == ["c2"])
        h.serve("c2", by: "a1", talk: 30)
        let retry = h.advance(by: 30)
        #expect(retry.contains(.dialBack(call: "c1", agent: "a1", number: "+8613800000000")))
        h.send(.callbackConnected("c1"))
        #expect(h.engine.agentState("a1") == .onCall(call: "c1"))
    }

    @Test func callbackGivesUpAfterMaxAttempts() {
        let q = QueueConfiguration(callback: QueueCallbackSettings(enabled: true, maxAttempts: 1, retryIntervalSeconds: 60, windowSeconds: 3600))
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.send(.enqueue("c1", queue: "q"))
        h.send(.requestCallback("c1", number: "1000"))
        h.login("a1")
        #expect(h.send(.callbackFailed("c1")).contains(.callbackAbandoned(call: "c1")))
        #expect(h.engine.activeCalls.isEmpty)
        #expect(h.engine.agentState("a1") == .available)
    }

    @Test func callbackWindowExpires() {
        let q = QueueConfiguration(callback: QueueCallbackSettings(enabled: true, windowSeconds: 600))
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.send(.enqueue("c1", queue: "q"))
        h.send(.requestCallback("c1", number: "1000"))
        #expect(h.advance(by: 600).contains(.callbackAbandoned(call: "c1")))
    }

    @Test func callbackIgnoredWhenDisabled() {
        var h = ACDHarness(queues: [("q", QueueConfiguration())], agents: [])
        h.send(.enqueue("c1", queue: "q"))
        h.send(.requestCallback("c1", number: "1000"))
        h.send(.callerHungUp("c1"))
        #expect(h.engine.activeCalls.isEmpty)
    }

    @Test func announcementsCarryPositionAndEstimatedWait() {
        let q = QueueConfiguration(announcements: QueueAnnouncements(musicOnHoldPrompt: "moh", positionIntervalSeconds: 30,
                                                                     estimatedWaitIntervalSeconds: 60))
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c0", queue: "q"))
        h.send(.answered("c0", agent: "a1"))
        #expect(h.send(.enqueue("c1", queue: "q")) == [.playMusicOnHold(call: "c1", prompt: "moh")])
        h.send(.enqueue("c2", queue: "q"))
        let at30 = h.advance(by: 30)
        #expect(at30 == [.announce(call: "c1", position: 1, estimatedWaitSeconds: nil),
                         .announce(call: "c2", position: 2, estimatedWaitSeconds: nil)])
        let at60 = h.advance(by: 30).filter { if case .announce(_, nil, _) = $0 { true } else { false } }
        // One staffed agent, no history: EWT = position × 180 s.
        #expect(at60 == [.announce(call: "c1", position: nil, estimatedWaitSeconds: 180),
                         .announce(call: "c2", position: nil, estimatedWaitSeconds: 360)])
    }

    @Test func estimatedWaitModel() {
        let m = EstimatedWaitModel(defaultHandleTimeSeconds: 120, smoothing: 0.5)
        #expect(m.estimatedWait(position: 3, staffedAgents: 0, availableAgents: 0, handleTimeSeconds: nil) == nil)
        #expect(m.estimatedWait(position: 4, staffedAgents: 2, availableAgents: 0, handleTimeSeconds: nil) == 240)
        #expect(m.estimatedWait(position: 1, staffedAgents: 2, availableAgents: 1, handleTimeSeconds: 100) == 0)
        #expect(m.smoothed(nil, observing: 100) == 100)
        #expect(m.smoothed(100, observing: 200) == 150)
    }

    /// Simulated traffic: N agents, constant handle time, a backlog; the estimate each caller got on
    /// joining is compared with the wait they actually had.
    @Test(arguments: [1, 3, 8])
    func estimatedWaitTracksSimulatedTraffic(agents n: Int) {
        let handle = 90.0
        let q = QueueConfiguration()
        var h = ACDHarness(queues: [("q", q)],
                           agents: (0..<n).map { (ACDAgentID("a\($0)"), AgentConfiguration(queues: member("q"))) },
                           configuration: .init(estimatedWait: EstimatedWaitModel(defaultHandleTimeSeconds: 300)))
        for i in 0..<n { h.send(.login(ACDAgentID("a\(i)"))) }
        var estimate: [ACDCallID: Int] = [:], joined: [ACDCallID: Date] = [:], actual: [ACDCallID: Double] = [:]
        var talking: [(end: Date, call: ACDCallID)] = []
        // Warm-up traffic teaches the model the handle time, then 6n callers arrive at once.
        var pending = (0..<(10 * n)).map { ACDCallID("w\($0)") } + (0..<(6 * n)).map { ACDCallID("c\($0)") }
        func route(_ out: [ACDAction]) {
            for (call, agent) in ACDHarness.offers(out) {
                actual[call] = h.now.timeIntervalSince(joined[call]!)
                let more = h.send(.answered(call, agent: agent))
                talking.append((h.now.addingTimeInterval(handle), call))
                route(more)
            }
        }
        while !pending.isEmpty || !talking.isEmpty {
            if let call = pending.first, call.rawValue.hasPrefix("w") || talking.count == n {
                if call.rawValue.hasPrefix("c") && pending.count == 6 * n {
                    // the backlog joins together
                    for c in pending { joined[c] = h.now; route(h.send(.enqueue(c, queue: "q"))); estimate[c] = h.engine.estimatedWait(of: c) }
                    pending.removeAll()
                    continue
                }
                if talking.count < n {
                    pending.removeFirst(); joined[call] = h.now; route(h.send(.enqueue(call, queue: "q"))); continue
                }
            }
            talking.sort { $0.end < $1.end }
            let next = talking.removeFirst()
            h.advance(by: next.end.timeIntervalSince(h.now))
            route(h.send(.callEnded(next.call)))
        }
        for (call, e) in estimate {
            #expect(abs(Double(e) - actual[call]!) <= handle + 1, "call \(call): estimate \(e) s, actual \(actual[call]!) s")
        }
        #expect(estimate.count == 6 * n)
    }
}
