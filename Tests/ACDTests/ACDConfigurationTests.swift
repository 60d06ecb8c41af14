import CallCenterModel
import Foundation
import Testing
@testable import ACD

@Suite("ACD configuration changes")
struct ACDConfigurationTests {
    @Test func gainingASkillMakesAnAvailableAgentTakeTheWaitingCaller() {
        let q = QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "billing", minLevel: 5)])
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 2)], queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        #expect(h.engine.agentState("a1") == .available)
        let out = h.engine.configureAgent("a1", AgentConfiguration(skills: [SkillLevel(skill: "billing", level: 7)], queues: member("q")), now: h.now)
        #expect(out.contains(.offer(call: "c1", agent: "a1", queue: "q")))
        #expect(h.engine.consistencyViolations() == [])
    }

    @Test func leavingAQueueStopsOffersAndKeepsCounts() {
        var h = ACDHarness(queues: [("q", QueueConfiguration()), ("r", QueueConfiguration())],
                           agents: [("a1", AgentConfiguration(queues: member("q", "r")))])
        h.login("a1")
        _ = h.engine.configureAgent("a1", AgentConfiguration(queues: member("r")), now: h.now)
        #expect(ACDHarness.offers(h.send(.enqueue("c1", queue: "q"))).isEmpty)
        #expect(h.engine.statistics(for: "q", now: h.now)?.staffedAgents == 0)
        #expect(ACDHarness.offers(h.send(.enqueue("c2", queue: "r"))).map(\.1) == ["a1"])
        #expect(h.engine.consistencyViolations() == [])
    }

    @Test func newAgentAndNewQueueAtRuntime() {
        var h = ACDHarness(queues: [("q", QueueConfiguration())], agents: [])
        _ = h.engine.configureQueue("vip", QueueConfiguration(strategy: .linear), now: h.now)
        _ = h.engine.configureAgent("a9", AgentConfiguration(queues: member("vip")), now: h.now)
        h.send(.enqueue("c1", queue: "vip"))
        #expect(ACDHarness.offers(h.send(.login("a9"))).map(\.0) == ["c1"])
        #expect(h.engine.consistencyViolations() == [])
    }

    @Test func queueChangesApplyToCallersAlreadyWaiting() {
        var h = ACDHarness(queues: [("q", QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "x", minLevel: 9)]))],
                           agents: [("a1", AgentConfiguration(skills: [SkillLevel(skill: "x", level: 3)], queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        h.advance(by: 100)
        // Add an escalation step at 60 s: c1 waited 100 s already, so a1 qualifies at once.
        let relaxed = QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "x", minLevel: 9)],
                                         escalation: [QueueEscalationStep(afterSeconds: 60, skills: [SkillRequirement(skill: "x", minLevel: 2)])])
        #expect(ACDHarness.offers(h.engine.configureQueue("q", relaxed, now: h.now)).map(\.0) == ["c1"])
    }

    @Test func strategyChangeResortsAvailableAgents() {
        var h = ACDHarness(queues: [("q", QueueConfiguration(strategy: .longestIdle))],
                           agents: [("a1", AgentConfiguration(queues: member("q"))), ("a2", AgentConfiguration(queues: member("q")))])
        h.login("a2"); h.advance(by: 5); h.login("a1")
        _ = h.engine.configureQueue("q", QueueConfiguration(strategy: .linear), now: h.now)
        #expect(ACDHarness.offers(h.send(.enqueue("c1", queue: "q"))).map(\.1) == ["a1"])  // top of the list, not longest idle
        #expect(h.engine.consistencyViolations() == [])
    }

    @Test func maxWaitAddedLaterOverflowsLongWaiters() {
        var h = ACDHarness(queues: [("q", QueueConfiguration())], agents: [])
        h.send(.enqueue("c1", queue: "q"))
        h.advance(by: 120)
        let out = h.engine.configureQueue("q", QueueConfiguration(maxWaitSeconds: 60, overflow: .hangup), now: h.now)
        #expect(ACDHarness.overflows(out).map(\.1) == [.maxWait])
    }
}

@Suite("Agent time report")
struct AgentTimeReportTests {
    @Test func foldsTheEventSourcedTransitions() {
        var h = ACDHarness(queues: [("q", QueueConfiguration(wrapUpSeconds: 30, ringTimeoutSeconds: 10, maxConsecutiveMisses: 1, autoBreakReason: "missed"))],
                           agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")                                   // available from t=0
        h.advance(by: 100)
        h.send(.enqueue("c1", queue: "q"))              // reserved at 100
        h.advance(by: 5)
        h.send(.answered("c1", agent: "a1"))            // on call at 105
        h.advance(by: 60)
        h.send(.callEnded("c1"))                        // wrap-up 165…195
        h.advance(by: 30)
        h.advance(by: 15)
        h.send(.startBreak("a1", reason: "lunch"))      // break at 210
        h.advance(by: 600)
        h.send(.ready("a1"))                            // available at 810
        h.send(.enqueue("c2", queue: "q"))              // reserved 810, misses at 820 → auto break
        h.advance(by: 10)
        h.advance(by: 80)
        var report = AgentTimeReport()
        report.apply(h.log)
        report.close(at: h.now)                          // t = 900
        let t = report.agents["a1"]!
        #expect(t.secondsByState == ["available": 100 + 15 + 0, "reserved": 5 + 10, "on_call": 60, "wrap_up": 30, "on_break": 600 + 80])
        #expect(t.secondsByBreakReason == ["lunch": 600, "missed": 80])
        #expect(t.offered == 2 && t.answered == 1 && t.missed == 1 && t.autoBreaks == 1)
        #expect(t.occupancy == Double(5 + 10 + 60 + 30) / Double(115 + 105))
    }
}

@Suite("ACD self-healing")
struct ACDReconcileTests {
    @Test func callsTheNodeNoLongerHasReleaseTheirAgents() {
        let q = QueueConfiguration(callback: QueueCallbackSettings(enabled: true))
        var h = ACDHarness(queues: [("q", q)], agents: [("a1", AgentConfiguration(queues: member("q"))),
                                                        ("a2", AgentConfiguration(queues: member("q")))])
        h.login("a1", "a2")
        h.send(.enqueue("talking", queue: "q"))
        h.send(.answered("talking", agent: "a1"))
        h.send(.enqueue("ringing", queue: "q"))          // a2 reserved
        h.send(.enqueue("waiting", queue: "q"))
        h.send(.enqueue("callback", queue: "q"))
        h.send(.requestCallback("callback", number: "+100"))
        h.advance(by: 3)
        let out = h.engine.reconcile(liveCalls: ["waiting"], now: h.now)
        #expect(out.contains(.cancelOffer(call: "ringing", agent: "a2")))
        // Both agents are free again and immediately take the remaining callers.
        #expect(Set(ACDHarness.offers(out).map(\.0)) == ["waiting"])
        #expect(out.contains { if case .dialBack(call: "callback", _, _) = $0 { true } else { false } })
        #expect(h.engine.activeCalls == ["callback", "waiting"])
        #expect(h.engine.consistencyViolations() == [])
    }
}
