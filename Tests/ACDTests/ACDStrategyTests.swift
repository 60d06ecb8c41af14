import CallCenterModel
import Foundation
import Testing
@testable import ACD

@Suite("ACD strategies")
struct ACDStrategyTests {
    func harness(_ strategy: QueueStrategy, agents: Int = 3, configure: (inout QueueConfiguration) -> Void = { _ in }) -> ACDHarness {
        var q = QueueConfiguration(strategy: strategy)
        configure(&q)
        return ACDHarness(queues: [("q", q)],
                          agents: (1...agents).map { (ACDAgentID("a\($0)"), AgentConfiguration(queues: member("q"))) })
    }

    @Test func longestIdleOffersTheAgentIdleLongest() {
        var h = harness(.longestIdle)
        h.login("a2"); h.advance(by: 1); h.login("a3"); h.advance(by: 1); h.login("a1")
        let out = h.send(.enqueue("c1", queue: "q"))
        #expect(ACDHarness.offers(out).map(\.1) == ["a2"])
        h.serve("c1", by: "a2")
        // a2 is now the most recently idle; a3 is next.
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c2", queue: "q"))) == ["a3"])
    }

    @Test func roundRobinRemembersWhereItLeftOff() {
        var h = harness(.roundRobin, agents: 3)
        h.login("a1", "a2", "a3")
        var order: [ACDAgentID] = []
        for i in 1...5 {
            let call = ACDCallID("c\(i)")
            let agent = ACDHarness.offeredAgents(h.send(.enqueue(call, queue: "q")))
            order += agent
            h.serve(call, by: agent[0])
        }
        #expect(order == ["a1", "a2", "a3", "a1", "a2"])
    }

    @Test func linearAlwaysStartsAtTheTop() {
        var h = harness(.linear, agents: 3)
        h.login("a3", "a2", "a1")
        var order: [ACDAgentID] = []
        for i in 1...3 {
            let call = ACDCallID("c\(i)")
            let agent = ACDHarness.offeredAgents(h.send(.enqueue(call, queue: "q")))
            order += agent
            h.serve(call, by: agent[0])
        }
        #expect(order == ["a1", "a1", "a1"])
        // With a1 busy the next in line is a2.
        h.send(.enqueue("c4", queue: "q"))
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c5", queue: "q"))) == ["a2"])
    }

    @Test func fewestCallsPrefersTheLeastUsedAgent() {
        var h = harness(.fewestCalls, agents: 2)
        h.login("a1", "a2")
        h.send(.enqueue("c1", queue: "q"))
        h.serve("c1", by: "a1")
        h.send(.enqueue("c2", queue: "q"))
        h.serve("c2", by: "a2")
        h.send(.enqueue("c3", queue: "q"))
        h.serve("c3", by: "a1")  // a1: 2 calls, a2: 1 call
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c4", queue: "q"))) == ["a2"])
    }

    @Test func leastTalkTimePrefersTheAgentWhoTalkedLeast() {
        var h = harness(.leastTalkTime, agents: 2)
        h.login("a1", "a2")
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["a1"])
        h.serve("c1", by: "a1", talk: 300)
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c2", queue: "q"))) == ["a2"])
        h.serve("c2", by: "a2", talk: 10)
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c3", queue: "q"))) == ["a2"])
    }

    @Test func ringAllRingsEveryoneAndTheFirstAnswerWins() {
        var h = harness(.ringAll, agents: 3)
        h.login("a1", "a2", "a3")
        let out = h.send(.enqueue("c1", queue: "q"))
        #expect(Set(ACDHarness.offeredAgents(out)) == ["a1", "a2", "a3"])
        let answer = h.send(.answered("c1", agent: "a2"))
        let cancelled = answer.compactMap { if case .cancelOffer(_, let a) = $0 { a } else { nil } }
        #expect(Set(cancelled) == ["a1", "a3"])
        #expect(h.engine.agentState("a2") == .onCall(call: "c1"))
        #expect(h.engine.agentState("a1") == .available)
    }

    @Test func randomIsDeterministicForASeedAndCoversAllAgents() {
        var seen: [ACDAgentID: Int] = [:]
        var h = harness(.random, agents: 4)
        h.login("a1", "a2", "a3", "a4")
        for i in 0..<400 {
            let call = ACDCallID("c\(i)")
            let agent = ACDHarness.offeredAgents(h.send(.enqueue(call, queue: "q")))[0]
            seen[agent, default: 0] += 1
            h.serve(call, by: agent, talk: 1)
        }
        #expect(seen.count == 4)
        #expect(seen.values.allSatisfy { $0 > 60 })  // uniform: about 100 each
        var again = harness(.random, agents: 4)
        again.login("a1", "a2", "a3", "a4")
        let first = ACDHarness.offeredAgents(again.send(.enqueue("c0", queue: "q")))
        #expect(first == ACDHarness.offeredAgents(h.log.filter { if case .offer(call: "c0", _, _) = $0 { true } else { false } }))
    }

    @Test func weightedRandomFollowsMembershipWeights() {
        var h = ACDHarness(queues: [("q", QueueConfiguration(strategy: .weightedRandom))],
                           agents: [("heavy", AgentConfiguration(queues: member("q", weight: 9))),
                                    ("light", AgentConfiguration(queues: member("q", weight: 1)))])
        h.login("heavy", "light")
        var heavy = 0
        for i in 0..<1000 {
            let call = ACDCallID("c\(i)")
            let agent = ACDHarness.offeredAgents(h.send(.enqueue(call, queue: "q")))[0]
            if agent == "heavy" { heavy += 1 }
            h.serve(call, by: agent, talk: 1)
        }
        #expect((820...970).contains(heavy))  // expectation 900
    }

    @Test func skillsBasedBestSkilledFirst() {
        let q = QueueConfiguration(strategy: .skillsBased, skillSelection: .bestSkilled,
                                   requiredSkills: [SkillRequirement(skill: "billing", minLevel: 3)])
        var h = ACDHarness(queues: [("q", q)], agents: [
            ("novice", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 2)], queues: member("q"))),
            ("good", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 5)], queues: member("q"))),
            ("expert", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 9)], queues: member("q"))),
        ])
        h.login("novice", "good", "expert")
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["expert"])
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c2", queue: "q"))) == ["good"])
        // The novice is below the minimum level: the third caller waits.
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c3", queue: "q"))).isEmpty)
        #expect(h.engine.position(of: "c3") == 1)
    }

    @Test func skillsBasedLongestIdleAmongQualified() {
        let q = QueueConfiguration(strategy: .skillsBased, skillSelection: .longestIdle,
                                   requiredSkills: [SkillRequirement(skill: "billing", minLevel: 3)])
        var h = ACDHarness(queues: [("q", q)], agents: [
            ("early-novice", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 1)], queues: member("q"))),
            ("expert", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 9)], queues: member("q"))),
            ("good", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 4)], queues: member("q"))),
        ])
        h.login("early-novice"); h.advance(by: 1); h.login("good"); h.advance(by: 1); h.login("expert")
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["good"])
    }

    @Test func priorityStrategyServesHigherPriorityCallersFirst() {
        var h = harness(.priority, agents: 1)
        h.send(.enqueue("low", queue: "q", priority: 1))
        h.advance(by: 1)
        h.send(.enqueue("high", queue: "q", priority: 5))
        h.send(.enqueue("low2", queue: "q", priority: 1))
        #expect(h.engine.waitingCalls(in: "q") == ["high", "low", "low2"])
        #expect(h.engine.position(of: "low") == 2)
        #expect(ACDHarness.offers(h.send(.login("a1"))).map(\.0) == ["high"])
    }
}
