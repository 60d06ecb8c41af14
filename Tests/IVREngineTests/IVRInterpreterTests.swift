import CallCenterModel
import Foundation
import Testing
@testable import IVREngine

/// Each node type and each error branch, driven step by step.
@Suite("IVR interpreter")
struct IVRInterpreterTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func flow(_ nodes: [String: IVRNode], start: String = "a", variables: [String: String] = [:]) -> IVRFlow {
        IVRFlow(name: "t", start: start, variables: variables, nodes: nodes)
    }
    func texts(_ actions: [IVRAction]) -> [String] {
        actions.compactMap { if case .play(let p) = $0 { p.file ?? p.text } else { nil } }
    }
    let bye: IVRNode = .hangup(IVRHangupNode())

    @Test func playThenHangup() {
        var ivr = IVRInterpreter(flow: flow(["a": .play(IVRPlayNode(prompt: .file("hello.wav"), next: "b")),
                                             "b": .hangup(IVRHangupNode(prompt: .text("Bye")))]))
        let out = ivr.start(now: now)
        #expect(texts(out) == ["hello.wav", "Bye"])
        #expect(out.last == .hangup)
        #expect(ivr.outcome == .hungUp(node: "b"))
        #expect(ivr.path == ["a", "b"])
        #expect(ivr.receive(.digits("1"), now: now).isEmpty)
    }

    @Test func gatherStoresDigitsWithoutFinishKey() {
        var ivr = IVRInterpreter(flow: flow(["a": .gather(IVRGatherNode(prompt: .text("Enter"), variable: "n", minDigits: 3, maxDigits: 5,
                                                                        next: "b", onFailure: "f")),
                                             "b": bye, "f": bye]))
        let out = ivr.start(now: now)
        #expect(out.last == .collectDigits(IVRDigitCollection(node: "a", minDigits: 3, maxDigits: 5, finishKey: "#",
                                                              firstDigitTimeoutSeconds: 5, interDigitTimeoutSeconds: 3)))
        #expect(ivr.state == .waitingForDigits(node: "a"))
        _ = ivr.receive(.digits("1234#"), now: now)
        #expect(ivr.variables["n"] == .string("1234"))
        #expect(ivr.outcome == .hungUp(node: "b"))
    }

    @Test func gatherRetriesWithRepromptThenFails() {
        var ivr = IVRInterpreter(flow: flow(["a": .gather(IVRGatherNode(prompt: .text("Enter"), reprompt: .text("Again"), variable: "n",
                                                                        minDigits: 4, maxDigits: 4, maxAttempts: 3, next: "b", onFailure: "f")),
                                             "b": bye, "f": .hangup(IVRHangupNode(prompt: .text("Failed")))]))
        _ = ivr.start(now: now)
        #expect(texts(ivr.receive(.digits("12"), now: now)) == ["Again"])
        #expect(texts(ivr.receive(.noInput, now: now)) == ["Again"])
        #expect(texts(ivr.receive(.digits("12345"), now: now)) == ["Failed"])
        #expect(ivr.outcome == .hungUp(node: "f"))
        #expect(ivr.variables["n"] == nil)
    }

    @Test func menuBranchesAndRecordsTheChoice() {
        var ivr = IVRInterpreter(flow: flow(["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "one", "2": "two"])),
                                             "one": bye, "two": bye]))
        _ = ivr.start(now: now)
        _ = ivr.receive(.digits("2"), now: now)
        #expect(ivr.path == ["a", "two"])
        #expect(ivr.variables["a.choice"] == .string("2"))
    }

    @Test func menuInvalidKeyRepeatsWithInvalidPromptThenHangsUp() {
        var ivr = IVRInterpreter(flow: flow(["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "one"], maxAttempts: 2,
                                                                    invalidPrompt: .text("Invalid"))),
                                             "one": bye]))
        _ = ivr.start(now: now)
        #expect(texts(ivr.receive(.digits("7"), now: now)) == ["Invalid", "Menu"])
        #expect(texts(ivr.receive(.noInput, now: now)) == [])
        #expect(ivr.outcome == .hungUp(node: "a"))
    }

    @Test func menuInvalidAndTimeoutBranches() {
        let nodes: [String: IVRNode] = ["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "one"], onInvalid: "bad", onTimeout: "quiet")),
                                        "one": bye, "bad": bye, "quiet": bye]
        var invalid = IVRInterpreter(flow: flow(nodes))
        _ = invalid.start(now: now)
        _ = invalid.receive(.digits("5"), now: now)
        #expect(invalid.outcome == .hungUp(node: "bad"))
        var quiet = IVRInterpreter(flow: flow(nodes))
        _ = quiet.start(now: now)
        _ = quiet.receive(.noInput, now: now)
        #expect(quiet.outcome == .hungUp(node: "quiet"))
    }

    @Test func menuFailureBranch() {
        var ivr = IVRInterpreter(flow: flow(["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "one"], maxAttempts: 1, onFailure: "f")),
                                             "one": bye, "f": bye]))
        _ = ivr.start(now: now)
        _ = ivr.receive(.noInput, now: now)
        #expect(ivr.outcome == .hungUp(node: "f"))
    }

    func httpFlow(timeoutBranch: Bool = true) -> IVRFlow {
        flow(["a": .http(IVRHTTPNode(method: "GET", url: "https://x.test/a/{{id|url}}", headers: ["X-Id": "{{id}}"],
                                     responseMapping: ["v": "data.items.1.value"], statusVariable: "code",
                                     next: "ok", onError: "err", onTimeout: timeoutBranch ? "slow" : nil)),
              "ok": bye, "err": bye, "slow": bye], variables: ["id": "a b"])
    }

    @Test func httpMapsResponseFields() {
        var ivr = IVRInterpreter(flow: httpFlow())
        let out = ivr.start(now: now)
        #expect(out.last == .httpRequest(IVRHTTPRequest(node: "a", method: "GET", url: "https://x.test/a/a%20b", headers: ["X-Id": "a b"],
                                                        body: nil, timeoutSeconds: 5)))
        _ = ivr.receive(.digits("1"), now: now)  // ignored while waiting for HTTP
        #expect(ivr.state == .waitingForHTTP(node: "a"))
        _ = ivr.receive(.httpResponse(status: 200, body: #"{"data": {"items": [{"value": 1}, {"value": "two"}]}}"#), now: now)
        #expect(ivr.variables["v"] == .string("two"))
        #expect(ivr.variables["code"] == .number(200))
        #expect(ivr.outcome == .hungUp(node: "ok"))
    }

    @Test(arguments: [
        (IVRInput.httpResponse(status: 500, body: "{}"), "err", "status 500"),
        (IVRInput.httpResponse(status: 200, body: "not json"), "err", "response is not JSON"),
        (IVRInput.httpResponse(status: 200, body: #"{"data": {}}"#), "err", "response has no 'data.items.1.value'"),
        (IVRInput.httpFailed(reason: "refused"), "err", "refused"),
        (IVRInput.httpTimeout, "slow", "timeout"),
    ])
    func httpErrorBranches(input: IVRInput, branch: String, error: String) {
        var ivr = IVRInterpreter(flow: httpFlow())
        _ = ivr.start(now: now)
        _ = ivr.receive(input, now: now)
        #expect(ivr.outcome == .hungUp(node: branch))
        #expect(ivr.variables["httpError"] == .string(error))
    }

    @Test func httpTimeoutFallsBackToOnError() {
        var ivr = IVRInterpreter(flow: httpFlow(timeoutBranch: false))
        _ = ivr.start(now: now)
        _ = ivr.receive(.httpTimeout, now: now)
        #expect(ivr.outcome == .hungUp(node: "err"))
    }

    @Test func setAndConditionUseExpressions() {
        var ivr = IVRInterpreter(flow: flow([
            "a": .set(IVRSetNode(assignments: ["total": "price * qty", "big": "price * qty > 100"], next: "c")),
            "c": .condition(IVRConditionNode(branches: [.init(when: "big && total >= 150", next: "large"),
                                                        .init(when: "total > 0", next: "small")], otherwise: "none")),
            "large": bye, "small": bye, "none": bye], variables: ["price": "50", "qty": "3"]))
        _ = ivr.start(now: now)
        #expect(ivr.variables["total"] == .number(150))
        #expect(ivr.outcome == .hungUp(node: "large"))
    }

    @Test func expressionErrorsAreDiagnosticsNotCrashes() {
        var ivr = IVRInterpreter(flow: flow([
            "a": .set(IVRSetNode(assignments: ["x": "1 / zero"], next: "c")),
            "c": .condition(IVRConditionNode(branches: [.init(when: "name * 2 > 1", next: "yes")], otherwise: "no")),
            "yes": bye, "no": bye], variables: ["zero": "0", "name": "bob"]))
        let out = ivr.start(now: now)
        #expect(out.contains(.diagnostic(node: "a", message: "1 / zero: division by zero")))
        #expect(out.contains { if case .diagnostic(node: "c", _) = $0 { true } else { false } })
        #expect(ivr.variables["x"] == .null)
        #expect(ivr.outcome == .hungUp(node: "no"))
    }

    @Test func businessHoursBranches() {
        let hours = BusinessHours(timeZone: "Asia/Shanghai", weekly: [.init(days: [.mon, .tue, .wed, .thu, .fri], open: "09:00", close: "18:00")],
                                  holidays: [.init(date: "2026-10-01", name: "国庆节")])
        let f = flow(["a": .businessHours(IVRBusinessHoursNode(hours: hours, open: "o", closed: "c", holiday: "h")), "o": bye, "c": bye, "h": bye])
        func run(_ at: String) -> IVROutcome? {
            var ivr = IVRInterpreter(flow: f)
            _ = ivr.start(now: ISO8601DateFormatter().date(from: at)!)
            return ivr.outcome
        }
        #expect(run("2026-11-25T02:00:00Z") == .hungUp(node: "o"))  // Wed 10:00 Beijing
        #expect(run("2026-11-25T11:00:00Z") == .hungUp(node: "c"))  // Wed 19:00
        #expect(run("2026-10-01T03:00:00Z") == .hungUp(node: "h"))  // National Day
    }

    @Test func languageSwitchChangesSpokenNumbers() {
        var ivr = IVRInterpreter(flow: flow([
            "a": .play(IVRPlayNode(prompt: .text("{{n|number}}"), next: "l")),
            "l": .language(IVRLanguageNode(language: "zh-CN", voice: "zh-voice", next: "b")),
            "b": .play(IVRPlayNode(prompt: .text("{{n|number}}"), next: "z")), "z": bye], variables: ["n": "21"]))
        let out = ivr.start(now: now)
        #expect(texts(out) == ["twenty one", "二十一"])
        #expect(out.contains(.setLanguage("zh-CN")))
        let voices = out.compactMap { if case .play(let p) = $0 { p.voice } else { nil } }
        #expect(voices == ["zh-voice"])
    }

    @Test func enqueueEvaluatesPriorityAndPassesAttributes() {
        var ivr = IVRInterpreter(flow: flow(["a": .enqueue(IVREnqueueNode(queue: "q", priority: "base + 2",
                                                                          requiredSkills: [SkillRequirement(skill: "billing", minLevel: 4)]))],
                                            variables: ["base": "3"]), callVariables: ["caller": "+100"])
        let out = ivr.start(now: now)
        let expected = IVREnqueueRequest(queue: "q", priority: 5, requiredSkills: [SkillRequirement(skill: "billing", minLevel: 4)],
                                         attributes: ["base": "3", "caller": "+100"])
        #expect(out.last == .enqueue(expected))
        #expect(ivr.outcome == .enqueued(expected))
    }

    @Test func transferRendersTheTarget() {
        var ivr = IVRInterpreter(flow: flow(["a": .transfer(IVRTransferNode(kind: .external, target: "+86{{branch}}", prompt: .text("Connecting")))],
                                            variables: ["branch": "1012345678"]))
        let out = ivr.start(now: now)
        #expect(texts(out) == ["Connecting"])
        #expect(ivr.outcome == .transferred(kind: .external, target: "+861012345678"))
    }

    @Test func voicemailRecordsThenHangsUp() {
        var ivr = IVRInterpreter(flow: flow(["a": .voicemail(IVRVoicemailNode(mailbox: "sales", prompt: .text("Leave a message"), maxSeconds: 60))]))
        let out = ivr.start(now: now)
        #expect(Array(out.suffix(2)) == [.recordVoicemail(mailbox: "sales", maxSeconds: 60), .hangup])
        #expect(ivr.outcome == .voicemail(mailbox: "sales"))
    }

    @Test func runawayLoopIsStoppedAtRuntime() {
        // The validator rejects this flow; the interpreter still protects a node that runs it.
        let looping = flow(["a": .play(IVRPlayNode(prompt: .text("x"), next: "b")), "b": .play(IVRPlayNode(prompt: .text("y"), next: "a"))])
        #expect(!IVRFlowValidator.validate(looping).isEmpty)
        var ivr = IVRInterpreter(flow: looping, configuration: .init(maxStepsWithoutInput: 50))
        let out = ivr.start(now: now)
        #expect(out.last == .hangup)
        #expect(ivr.outcome == .failed(node: "a", reason: "more than 50 steps without caller input"))  // step 51
    }

    @Test func missingNodeFailsTheCall() {
        var ivr = IVRInterpreter(flow: flow(["a": .play(IVRPlayNode(prompt: .text("x"), next: "gone"))]))
        _ = ivr.start(now: now)
        #expect(ivr.outcome == .failed(node: "gone", reason: "node 'gone' does not exist"))
    }

    @Test func loopWithInputRunsUntilCallerLeaves() {
        var ivr = IVRInterpreter(flow: flow(["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "p"])),
                                             "p": .play(IVRPlayNode(prompt: .text("Info"), next: "a"))]))
        _ = ivr.start(now: now)
        for _ in 0..<300 { #expect(texts(ivr.receive(.digits("1"), now: now)) == ["Info", "Menu"]) }
        _ = ivr.receive(.callerHungUp, now: now)
        #expect(ivr.outcome == .callerHungUp(node: "a"))
    }
}
