import CallCenterModel
import Foundation
import PropertyBased
import Testing
@testable import ACD

/// Random event sequences against a small but varied tenant, checking the invariants after every step.
@Suite("ACD properties")
struct ACDPropertyTests {
    static let queueConfigs: [(ACDQueueID, QueueConfiguration)] = [
        ("sales", QueueConfiguration(strategy: .longestIdle, maxWaitSeconds: 300, overflow: .hangup, ringTimeoutSeconds: 10,
                                     maxConsecutiveMisses: 3, weight: 2, exitKey: "0",
                                     callback: QueueCallbackSettings(enabled: true, maxAttempts: 2, retryIntervalSeconds: 30, windowSeconds: 900))),
        ("billing", QueueConfiguration(strategy: .skillsBased, requiredSkills: [SkillRequirement(skill: "billing", minLevel: 6)],
                                       wrapUpSeconds: 15,
                                       escalation: [QueueEscalationStep(afterSeconds: 40, skills: [SkillRequirement(skill: "billing", minLevel: 2)]),
                                                    QueueEscalationStep(afterSeconds: 90, maxTier: 1)], ringTimeoutSeconds: 8)),
        ("support", QueueConfiguration(strategy: .ringAll, maxTier: 0,
                                       escalation: [QueueEscalationStep(afterSeconds: 60, maxTier: 2)], ringTimeoutSeconds: 12)),
        ("rr", QueueConfiguration(strategy: .roundRobin, leaveWhenEmpty: .noAgentsLoggedIn)),
        ("rand", QueueConfiguration(strategy: .weightedRandom, maxLength: 5)),
    ]
    static let agentConfigs: [(ACDAgentID, AgentConfiguration)] = (0..<7).map { i in
        let skills = [SkillLevel(skill: "billing", level: [2, 4, 6, 8, 10, 1, 7][i]), SkillLevel(skill: "mandarin", level: i % 3 + 1)]
        let all = ["sales", "billing", "support", "rr", "rand"]
        let queues = all.enumerated().filter { (j, _) in (i + j) % 3 != 0 }.map { (j, q) in
            QueueMembership(queue: q, tier: (i + j) % 3, weight: i + 1)
        }
        return (ACDAgentID("a\(i)"), AgentConfiguration(skills: skills, queues: queues))
    }

    /// Decodes one random integer into an event (or a clock step).
    struct Step {
        var event: ACDEvent?
        var advance: Double
    }

    static func decode(_ x: Int, nextCall: inout Int, model: ACDModel) -> Step {
        let op = x % 16, arg = x / 16
        let agent = agentConfigs[arg % agentConfigs.count].0
        let live = model.live
        let someCall = live.isEmpty ? ACDCallID("none") : live[arg % live.count]
        switch op {
        case 0, 1, 2:
            nextCall += 1
            let q = queueConfigs[arg % queueConfigs.count].0
            let skills = arg % 7 == 0 ? [SkillRequirement(skill: "mandarin", minLevel: 2)] : []
            return Step(event: .enqueue(ACDCallID("c\(nextCall)"), queue: q, priority: arg % 3, requiredSkills: skills), advance: 0)
        case 3: return Step(event: .login(agent), advance: 0)
        case 4: return Step(event: arg % 4 == 0 ? .logout(agent) : .ready(agent), advance: 0)
        case 5: return Step(event: .startBreak(agent, reason: "coffee"), advance: 0)
        case 6, 7:
            let holders = model.ringing
            guard !holders.isEmpty else { return Step(event: nil, advance: 1) }
            let (c, a) = holders[arg % holders.count]
            return Step(event: .answered(c, agent: a), advance: 0)
        case 8:
            let holders = model.ringing
            guard !holders.isEmpty else { return Step(event: nil, advance: 1) }
            let (c, a) = holders[arg % holders.count]
            return Step(event: .rejected(c, agent: a), advance: 0)
        case 9: return Step(event: .callEnded(someCall), advance: 0)
        case 10: return Step(event: .callerHungUp(someCall), advance: 0)
        case 11: return Step(event: .digit(someCall, key: arg % 2 == 0 ? "0" : "5"), advance: 0)
        case 12: return Step(event: .requestCallback(someCall, number: "+86100\(arg)"), advance: 0)
        case 13: return Step(event: arg % 2 == 0 ? .callbackConnected(someCall) : .callbackFailed(someCall), advance: 0)
        default: return Step(event: nil, advance: Double(arg % 50 + 1))
        }
    }

    static func run(_ script: [Int], check: (ACDModel, [ACDAction], ACDEngine) -> Void) -> ACDModel {
        var h = ACDHarness(queues: queueConfigs, agents: agentConfigs, configuration: .init(randomSeed: 7, emitQueueStatistics: true))
        var model = ACDModel()
        var nextCall = 0
        for x in script {
            let step = decode(x, nextCall: &nextCall, model: model)
            var out: [ACDAction] = []
            if let e = step.event {
                out = h.send(e)
                model.apply(e, out, at: h.now)
            }
            if step.advance > 0 {
                out = h.advance(by: step.advance)
                model.apply(nil, out, at: h.now)
            }
            check(model, out, h.engine)
        }
        return model
    }

    @Test func invariantsHoldOverRandomEventSequences() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...100_000).array(of: 1...250)) { script in
            _ = Self.run(script) { model, out, engine in
                #expect(engine.consistencyViolations() == [])
                // No call lost or duplicated: the engine holds exactly the calls not yet finished.
                #expect(engine.activeCalls == model.live.sorted())
                // Includes: skill requirements are always met by offers (checked as each offer is seen).
                #expect(model.errors == [])
            }
        }
    }

    @Test func agentLeavingDuringDialBackCancelsIt() {
        var h = ACDHarness(queues: Self.queueConfigs, agents: Self.agentConfigs)
        var model = ACDModel()
        for e: ACDEvent in [.enqueue("c1", queue: "sales"), .requestCallback("c1", number: "1"), .callerHungUp("c1"),
                            .login("a1"), .startBreak("a1", reason: "x"), .callbackConnected("c1"), .callEnded("c1")] {
            let out = h.send(e)
            model.apply(e, out, at: h.now)
            if case .startBreak = e { #expect(out.contains(.cancelDialBack(call: "c1", agent: "a1"))) }
        }
        #expect(h.engine.activeCalls == model.live.sorted())
        #expect(h.engine.position(of: "c1") == 1)
    }

    @Test func everyWaitingCallIsEventuallyOfferedOrOverflowed() async {
        await propertyCheck(count: 100, input: Gen.int(in: 0...100_000).array(of: 1...150)) { script in
            var h = ACDHarness(queues: Self.queueConfigs, agents: Self.agentConfigs)
            var model = ACDModel()
            var nextCall = 0
            for x in script {
                let step = Self.decode(x, nextCall: &nextCall, model: model)
                if let e = step.event { model.apply(e, h.send(e), at: h.now) }
                if step.advance > 0 { model.apply(nil, h.advance(by: step.advance), at: h.now) }
            }
            // Everyone logs in and answers whatever rings; calls end after 30 s; callbacks connect.
            // Logging in is repeated each round: an agent who asked to log out during a call is logged
            // out only when that call ends, and may be the only one with the skills a waiting call needs.
            for _ in 0..<2000 where !model.live.isEmpty {
                for (agent, _) in Self.agentConfigs {
                    model.apply(.login(agent), h.send(.login(agent)), at: h.now)
                    model.apply(.ready(agent), h.send(.ready(agent)), at: h.now)
                }
                for c in model.dialing { model.apply(.callbackConnected(c), h.send(.callbackConnected(c)), at: h.now) }
                for c in model.connected { model.apply(.callEnded(c), h.send(.callEnded(c)), at: h.now) }
                for (c, a) in model.ringing { model.apply(.answered(c, agent: a), h.send(.answered(c, agent: a)), at: h.now) }
                model.apply(nil, h.advance(by: 5), at: h.now)
            }
            #expect(model.live.isEmpty, "still held: \(model.live)")
        }
    }

    /// One queue, identical agents: offers follow priority, then join order.
    @Test func fifoWithinEqualPriorityAndEligibility() async {
        await propertyCheck(count: 200, input: Gen.int(in: 0...10_000).array(of: 1...200)) { script in
            var h = ACDHarness(queues: [("q", QueueConfiguration(ringTimeoutSeconds: 300))],
                               agents: (0..<3).map { (ACDAgentID("a\($0)"), AgentConfiguration(queues: member("q"))) })
            var n = 0
            for x in script {
                let before = h.engine.waitingCalls(in: "q")
                var out: [ACDAction]
                switch x % 5 {
                case 0, 1:
                    n += 1
                    out = h.send(.enqueue(ACDCallID("c\(n)"), queue: "q", priority: x % 3))
                    if !before.isEmpty { #expect(ACDHarness.offers(out).isEmpty, "new caller jumped a waiting queue") }
                    continue
                case 2: out = h.send(.login(ACDAgentID("a\(x % 3)")))
                case 3:
                    let busy = h.engine.activeCalls.filter { !h.engine.agents(of: $0).isEmpty }
                    guard !busy.isEmpty else { continue }
                    let c = busy[x % busy.count]
                    let a = h.engine.agents(of: c)[0]
                    if h.engine.agentState(a) == .reserved(call: c) { h.send(.answered(c, agent: a)) }
                    out = h.send(.callEnded(c))
                default:
                    // A ringing agent logging out puts their call back in its place (ahead of later
                    // joiners) and it may go straight to another agent: not a FIFO decision to check.
                    h.send(.logout(ACDAgentID("a\(x % 3)")))
                    continue
                }
                let offered = ACDHarness.offers(out).map(\.0)
                #expect(Array(before.prefix(offered.count)) == offered, "before \(before), offered \(offered)")
            }
        }
    }
}
