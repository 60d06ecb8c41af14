import CallCenterModel
import Foundation
import Testing
@testable import IVREngine

func fixture(_ name: String) throws -> IVRFlow {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(IVRFlow.self, from: Data(contentsOf: url))
}

func date(_ rfc3339: String) -> Date { ISO8601DateFormatter().date(from: rfc3339)! }

extension IVRSimulationResult {
    var spoken: [String] {
        trace.compactMap { if case .play(let p)? = $0.action { p.file ?? p.text } else { nil } }
    }
    var requests: [IVRHTTPRequest] {
        trace.compactMap { if case .httpRequest(let r)? = $0.action { r } else { nil } }
    }
}

@Suite("IVR example flows through the simulator")
struct IVRExampleFlowTests {
    let weekdayMorning = date("2026-11-23T15:00:00Z")  // Monday 10:00 in New York

    @Test func fixturesAreValid() throws {
        #expect(IVRFlowValidator.validate(try fixture("bank-balance.en")) == [])
        #expect(IVRFlowValidator.validate(try fixture("order-status.zh")) == [])
        #expect(IVRFlowValidator.validate(try fixture("bank-balance.en"), knownQueues: ["retail"]) == [])
    }

    @Test func bankBalanceIsSpokenInEnglish() throws {
        let script = IVRSimulationScript(
            startTime: weekdayMorning, caller: "+12125550100",
            inputs: [.init(digits: "1"), .init(digits: "12345678#", afterSeconds: 6), .init(digits: "4321"), .init(digits: "9")],
            httpResponses: [.init(status: 200, body: #"{"data": {"balance": 1234.56, "asOf": "2026-11-20"}}"#, latencyMs: 250)])
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: script)
        #expect(result.outcome == .hungUp(node: "goodbye"))
        #expect(result.path == ["hours", "welcome", "main_menu", "ask_account", "ask_pin", "lookup", "check_balance",
                                "say_balance", "after_balance", "goodbye"])
        #expect(result.spoken.contains(
            "Your balance on November twentieth two thousand twenty six is one thousand two hundred thirty four dollars and fifty six cents."))
        let request = try #require(result.requests.first)
        #expect(request.method == "POST")
        #expect(request.headers["Authorization"] == "Bearer test-token")
        let body = try JSONSerialization.jsonObject(with: Data(request.body!.utf8)) as? [String: String]
        #expect(body == ["account": "12345678", "pin": "4321", "caller": "+12125550100"])
        #expect(result.variables["lookupStatus"] == .number(200))
        let expectedDuration: Double = 2 + 6 + 2 + 0.25 + 2
        #expect(result.durationSeconds == expectedDuration)
    }

    @Test func overdrawnAccountGoesToAnAgentWithPriority() throws {
        let script = IVRSimulationScript(
            startTime: weekdayMorning, caller: "+12125550100",
            inputs: [.init(digits: "1"), .init(digits: "12345678#"), .init(digits: "4321")],
            httpResponses: [.init(status: 200, body: #"{"data": {"balance": -40.5, "asOf": "2026-11-20"}}"#)])
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: script)
        #expect(result.spoken.contains("Your account is overdrawn by forty dollars and fifty cents."))
        guard case .enqueued(let request)? = result.outcome else { Issue.record("not enqueued: \(String(describing: result.outcome))"); return }
        #expect(request.queue == "retail")
        #expect(request.priority == 5)
        #expect(request.requiredSkills == [SkillRequirement(skill: "english", minLevel: 1)])
        #expect(request.attributes["account"] == "12345678")
    }

    @Test func wrongAccountNumberIsRepromptedThenAgent() throws {
        let script = IVRSimulationScript(startTime: weekdayMorning,
                                         inputs: [.init(digits: "1"), .init(digits: "123#"), .init(noInput: true), .init(digits: "99#")])
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: script)
        #expect(result.spoken.filter { $0 == "That was not eight digits. Please try again." }.count == 2)
        guard case .enqueued(let r)? = result.outcome else { Issue.record("not enqueued"); return }
        #expect(r.queue == "retail")
    }

    @Test func lookupTimeoutApologisesAndQueues() throws {
        let script = IVRSimulationScript(startTime: weekdayMorning,
                                         inputs: [.init(digits: "1"), .init(digits: "12345678#"), .init(digits: "4321")],
                                         httpResponses: [.init(timeout: true)])
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: script)
        #expect(result.spoken.contains("Sorry, we cannot reach your account right now."))
        #expect(result.variables["httpError"] == .string("timeout"))
        #expect(result.path.suffix(2) == ["lookup_failed", "to_agent"])
        #expect(result.durationSeconds == 10)  // three entries of 2 s, then the node's 4 s timeout
    }

    @Test func afterHoursTakesAMessage() throws {
        let sundayNight = date("2026-11-29T23:30:00Z")
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: IVRSimulationScript(startTime: sundayNight))
        #expect(result.outcome == .voicemail(mailbox: "retail-after-hours"))
        #expect(result.trace.contains { $0.action == .recordVoicemail(mailbox: "retail-after-hours", maxSeconds: 90) })
    }

    @Test func holidayIsClosedAllDay() throws {
        let christmasNoon = date("2026-12-25T17:00:00Z")
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: IVRSimulationScript(startTime: christmasNoon))
        #expect(result.outcome == .hungUp(node: "holiday_message"))
    }

    @Test func mandarinOptionSwitchesLanguageAndSkill() throws {
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"),
                                      script: IVRSimulationScript(startTime: weekdayMorning, inputs: [.init(digits: "9")]))
        #expect(result.trace.contains { $0.action == .setLanguage("zh-CN") })
        guard case .enqueued(let r)? = result.outcome else { Issue.record("not enqueued"); return }
        #expect(r.requiredSkills == [SkillRequirement(skill: "mandarin", minLevel: 3)])
        #expect(r.attributes["language"] == "zh-CN")
    }

    @Test func silentCallerHearsTheMenuThreeTimesThenGoodbye() throws {
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: IVRSimulationScript(startTime: weekdayMorning))
        #expect(result.outcome == .hungUp(node: "goodbye"))
        #expect(result.trace.filter { $0.input == .noInput }.count == 3)
        #expect(result.durationSeconds == 18)
    }

    @Test func callerHangingUpEndsTheRun() throws {
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"),
                                      script: IVRSimulationScript(startTime: weekdayMorning, inputs: [.init(hangUp: true)]))
        #expect(result.outcome == .callerHungUp(node: "main_menu"))
    }

    @Test func orderStatusIsSpokenInMandarin() throws {
        let script = IVRSimulationScript(
            startTime: date("2026-11-25T02:00:00Z"), caller: "+8613800138000",
            inputs: [.init(digits: "123456#"), .init(digits: "9")],
            httpResponses: [.init(status: 200, body: #"{"order": {"status": "shipped", "total": 299.50, "eta": "2026-12-03"}}"#)])
        let result = IVRSimulator.run(flow: try fixture("order-status.zh"), script: script)
        #expect(result.spoken.contains("您的订单一二三四五六已发货，金额两百九十九元五角，预计二零二六年十二月三日送达。"))
        #expect(result.requests.first?.url == "https://shop.example.test/api/orders/123456?caller=%2B8613800138000")
        #expect(result.outcome == .hungUp(node: "bye"))
        // The spoken amount is also available as tokens for concatenating recorded prompts.
        let play = result.trace.compactMap { if case .play(let p)? = $0.action, p.text.hasPrefix("您的订单") { p } else { nil } }.first
        #expect(play?.segments.contains(.tokens(["两", "百", "九", "十", "九", "元", "五", "角"])) == true)
    }

    @Test func unknownOrderLoopsBackToTheQuestion() throws {
        let script = IVRSimulationScript(
            startTime: date("2026-11-25T02:00:00Z"),
            inputs: [.init(digits: "111111#"), .init(digits: "123456#"), .init(digits: "0")],
            httpResponses: [.init(status: 404, body: "{}"), .init(status: 200, body: #"{"order": {"status": "processing", "total": 88, "eta": null}}"#)])
        let result = IVRSimulator.run(flow: try fixture("order-status.zh"), script: script)
        #expect(result.spoken.contains("没有找到这个订单。"))
        #expect(result.spoken.contains("您的订单正在处理中，金额八十八元。"))
        guard case .enqueued(let r)? = result.outcome else { Issue.record("not enqueued"); return }
        #expect(r.queue == "service-zh")
        #expect(r.priority == 1)
    }

    @Test func resultEncodesAsJSON() throws {
        let script = IVRSimulationScript(startTime: weekdayMorning, inputs: [.init(digits: "0")])
        let result = IVRSimulator.run(flow: try fixture("bank-balance.en"), script: script)
        let data = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(IVRSimulationResult.self, from: data) == result)
        let scriptJSON = #"{"startTime": 1795000000, "inputs": [{"digits": "0"}]}"#
        #expect(try JSONDecoder().decode(IVRSimulationScript.self, from: Data(scriptJSON.utf8)).inputs?.first?.digits == "0")
    }

    @Test func invalidFlowIsNotRun() throws {
        var flow = try fixture("bank-balance.en")
        flow.nodes["welcome"] = .play(IVRPlayNode(prompt: .text("Hi"), next: "nowhere"))
        let result = IVRSimulator.run(flow: flow, script: IVRSimulationScript(startTime: weekdayMorning))
        #expect(result.issues.contains(IVRFlowIssue(node: "welcome", field: "next", message: "target node 'nowhere' does not exist")))
        #expect(result.trace.isEmpty && result.outcome == nil)
    }
}
