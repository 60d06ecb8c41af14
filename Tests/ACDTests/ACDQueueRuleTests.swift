import CallCenterModel
import Foundation
import Testing
@testable import ACD

@Suite("ACD queue rules")
struct ACDQueueRuleTests {
    func single(_ q: QueueConfiguration, agents: [(ACDAgentID, AgentConfiguration)]? = nil) -> ACDHarness {
        ACDHarness(queues: [("q", q)], agents: agents ?? [("a1", AgentConfiguration(queues: member("q"))),
                                                           ("a2", AgentConfiguration(queues: member("q")))])
    }

    @Test func fifoWithinEqualPriority() {
        var h = single(QueueConfiguration())
        for i in 1...4 { h.send(.enqueue(ACDCallID("c\(i)"), queue: "q")); h.advance(by: 1) }
        #expect(h.engine.waitingCalls(in: "q") == ["c1", "c2", "c3", "c4"])
        #expect(ACDHarness.offers(h.send(.login("a1"))).map(\.0) == ["c1"])
        #expect(ACDHarness.offers(h.send(.login("a2"))).map(\.0) == ["c2"])
        #expect(h.engine.position(of: "c3") == 1)
    }

    @Test func priorityRulesRaiseCallersByAttribute() {
        var h = single(QueueConfiguration(priorityRules: [QueuePriorityRule(attribute: "tier", equals: "gold", priority: 9)]))
        h.send(.enqueue("plain", queue: "q"))
        h.send(.enqueue("gold", queue: "q", attributes: ["tier": "gold"]))
        #expect(h.engine.waitingCalls(in: "q") == ["gold", "plain"])
    }

    @Test func maxWaitOverflowsToTarget() {
        var h = single(QueueConfiguration(maxWaitSeconds: 30, overflow: .voicemail(mailbox: "support")))
        h.send(.enqueue("c1", queue: "q"))
        #expect(h.advance(by: 29).isEmpty)
        let out = h.advance(by: 1)
        #expect(out.contains(.overflow(call: "c1", target: .voicemail(mailbox: "support"), reason: .maxWait)))
        #expect(h.engine.activeCalls.isEmpty)
    }

    @Test func maxLengthRefusesNewCallers() {
        var h = single(QueueConfiguration(maxLength: 2, overflow: .queue("other")))
        h.send(.enqueue("c1", queue: "q")); h.send(.enqueue("c2", queue: "q"))
        let out = h.send(.enqueue("c3", queue: "q"))
        #expect(out == [.overflow(call: "c3", target: .queue("other"), reason: .maxLength)])
        #expect(h.engine.waitingCalls(in: "q") == ["c1", "c2"])
    }

    @Test func joinEmptyRefusesWhenNobodyLoggedIn() {
        var h = single(QueueConfiguration(overflow: .hangup, joinEmpty: .noAgentsLoggedIn))
        #expect(ACDHarness.overflows(h.send(.enqueue("c1", queue: "q"))).map(\.1) == [.joinEmpty])
        h.login("a1")
        h.send(.startBreak("a1", reason: "lunch"))
        // Logged in (on break) is enough for this rule: the caller waits.
        #expect(ACDHarness.overflows(h.send(.enqueue("c2", queue: "q"))).isEmpty)
        #expect(h.engine.position(of: "c2") == 1)
    }

    @Test func joinEmptyNoneAvailable() {
        var h = single(QueueConfiguration(joinEmpty: .noAgentsAvailable))
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))  // a1 reserved now
        h.send(.answered("c1", agent: "a1"))
        #expect(ACDHarness.overflows(h.send(.enqueue("c2", queue: "q"))).map(\.1) == [.joinEmpty])
    }

    @Test func leaveWhenEmptyOverflowsWaitingCallersWhenLastAgentLeaves() {
        var h = single(QueueConfiguration(overflow: .ivrFlow(alias: "closed"), leaveWhenEmpty: .noAgentsLoggedIn),
                       agents: [("a1", AgentConfiguration(skills: [], queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        h.send(.answered("c1", agent: "a1"))
        h.send(.enqueue("c2", queue: "q"))
        h.send(.enqueue("c3", queue: "q"))
        #expect(h.send(.logout("a1")).isEmpty)  // on a call: logout is pending
        h.advance(by: 10)
        let out = h.send(.callEnded("c1"))
        #expect(h.engine.agentState("a1") == .loggedOut)
        #expect(ACDHarness.overflows(out).map(\.0) == ["c2", "c3"])
    }

    @Test func exitKeyLeavesTheQueue() {
        var h = single(QueueConfiguration(overflow: .voicemail(mailbox: nil), exitKey: "0"))
        h.send(.enqueue("c1", queue: "q"))
        #expect(h.send(.digit("c1", key: "5")).isEmpty)
        #expect(h.send(.digit("c1", key: "0")) == [.overflow(call: "c1", target: .voicemail(mailbox: nil), reason: .exitKey)])
    }

    @Test func noAnswerMovesToTheNextAgentAndCallKeepsPlace() {
        var h = single(QueueConfiguration(ringTimeoutSeconds: 15))
        h.login("a1"); h.advance(by: 1); h.login("a2")
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["a1"])
        h.advance(by: 5)
        h.send(.enqueue("c2", queue: "q"))  // a2 takes c2
        h.send(.enqueue("c3", queue: "q"))
        let out = h.advance(by: 10)
        #expect(out.contains(.cancelOffer(call: "c1", agent: "a1")))
        // c1 kept its place ahead of c3; a1 (excluded for c1) takes c3 instead.
        #expect(h.engine.waitingCalls(in: "q") == ["c1"])
        #expect(ACDHarness.offers(out).map { "\($0.0)>\($0.1)" } == ["c3>a1"])
        // a2 declines c2 and gets c1 (head of queue); c2 waits for a1's exclusion to lift.
        let out2 = h.send(.rejected("c2", agent: "a2"))
        #expect(ACDHarness.offers(out2).map { "\($0.0)>\($0.1)" } == ["c1>a2"])
    }

    /// An agent who declined or missed a call is not offered it again while another agent's phone
    /// rings for it, even when the retry delay ends meanwhile: everyone else is tried first.
    @Test func declinedAgentWaitsUntilEveryoneElseWasTried() {
        let skill = { (level: Int) in AgentConfiguration(skills: [SkillLevel(skill: "s", level: level)], queues: member("q")) }
        var h = single(QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "s", minLevel: 1)],
                                          ringTimeoutSeconds: 8),
                       agents: [("a1", skill(10)), ("a2", skill(8)), ("a3", skill(6))])
        h.login("a1", "a2", "a3")
        #expect(ACDHarness.offeredAgents(h.send(.enqueue("c1", queue: "q"))) == ["a1"])
        #expect(ACDHarness.offeredAgents(h.send(.rejected("c1", agent: "a1"))) == ["a2"])
        #expect(ACDHarness.offers(h.advance(by: 5)).isEmpty)  // a1's retry delay ends while a2 rings
        #expect(ACDHarness.offeredAgents(h.advance(by: 3)) == ["a3"])  // a2's ring timeout: a3, not a1
        // a3 declines too: everyone was tried, so the call waits for the first retry delay and goes to a1.
        #expect(ACDHarness.offers(h.send(.rejected("c1", agent: "a3"))).isEmpty)
        #expect(ACDHarness.offeredAgents(h.advance(by: 2)) == ["a1"])
    }

    @Test func consecutiveMissesPutTheAgentOnBreak() {
        var h = single(QueueConfiguration(ringTimeoutSeconds: 10, maxConsecutiveMisses: 2, autoBreakReason: "missed"),
                       agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        h.advance(by: 10)  // miss 1, exclusion 5 s
        h.advance(by: 5)   // exclusion over: offered again
        #expect(h.engine.agentState("a1") == .reserved(call: "c1"))
        h.advance(by: 10)  // miss 2
        #expect(h.engine.agentState("a1") == .onBreak(reason: "missed"))
        #expect(h.log.contains { if case .agentStateChanged(let c) = $0 { c.reason == .autoBreak } else { false } })
        #expect(h.engine.position(of: "c1") == 1)
    }

    @Test func wrapUpUsesTheQueueTimeAndEndsEarlyOnRequest() {
        var h = single(QueueConfiguration(wrapUpSeconds: 30), agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        h.send(.answered("c1", agent: "a1"))
        h.send(.callEnded("c1"))
        #expect(h.engine.agentState("a1") == .wrapUp(call: "c1"))
        h.send(.enqueue("c2", queue: "q"))
        #expect(h.advance(by: 29).isEmpty)
        #expect(ACDHarness.offers(h.advance(by: 1)).map(\.0) == ["c2"])
        h.send(.answered("c2", agent: "a1"))
        h.send(.callEnded("c2"))
        h.advance(by: 3)
        h.send(.ready("a1"))
        #expect(h.engine.agentState("a1") == .available)
    }

    @Test func busyAgentsAreNeverOfferedASecondCall() {
        var h = single(QueueConfiguration(), agents: [("a1", AgentConfiguration(queues: member("q", "r")))])
        h = ACDHarness(queues: [("q", QueueConfiguration()), ("r", QueueConfiguration())],
                       agents: [("a1", AgentConfiguration(queues: member("q", "r")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        #expect(ACDHarness.offers(h.send(.enqueue("c2", queue: "r"))).isEmpty)
        h.send(.answered("c1", agent: "a1"))
        #expect(ACDHarness.offers(h.send(.enqueue("c3", queue: "q"))).isEmpty)
    }

    @Test func reservationHealsItselfAfterRingTimeout() {
        var h = single(QueueConfiguration(ringTimeoutSeconds: 20), agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        #expect(h.engine.agentState("a1") == .reserved(call: "c1"))
        h.advance(by: 20)
        #expect(h.engine.agentState("a1") == .available)
        #expect(h.engine.position(of: "c1") == 1)
    }

    @Test func callerHangingUpWhileRingingReleasesTheAgent() {
        var h = single(QueueConfiguration(), agents: [("a1", AgentConfiguration(queues: member("q")))])
        h.login("a1")
        h.send(.enqueue("c1", queue: "q"))
        let out = h.send(.callerHungUp("c1"))
        #expect(out.contains(.cancelOffer(call: "c1", agent: "a1")))
        #expect(h.engine.agentState("a1") == .available)
        #expect(h.engine.activeCalls.isEmpty)
        #expect(h.engine.statistics(for: "q", now: h.now)?.abandoned == 1)
    }
}
