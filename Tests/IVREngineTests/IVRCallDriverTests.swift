import CallCenterModel
import Foundation
import Testing
@testable import IVREngine

/// The live-call side of the IVR: barge-in, digit timers, prompts before HTTP and terminal actions.
@Suite("IVR call driver")
struct IVRCallDriverTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)
    let bye: IVRNode = .hangup(IVRHangupNode())

    func driver(_ nodes: [String: IVRNode], start: String = "a") -> IVRCallDriver {
        IVRCallDriver(interpreter: IVRInterpreter(flow: IVRFlow(name: "t", start: start, nodes: nodes)))
    }

    func texts(_ commands: [IVRCallDriver.Command]) -> [[String]] {
        commands.compactMap { if case .play(let p, _) = $0 { p.map { $0.text } } else { nil } }
    }

    func timers(_ commands: [IVRCallDriver.Command]) -> [(Double, Int)] {
        commands.compactMap { if case .startTimer(let s, let t) = $0 { (s, t) } else { nil } }
    }

    func finished(_ commands: [IVRCallDriver.Command]) -> IVROutcome? {
        commands.compactMap { if case .finished(let o) = $0 { o } else { nil } }.first
    }

    var menu: [String: IVRNode] {
        ["a": .play(IVRPlayNode(prompt: .text("Welcome"), next: "m")),
         "m": .menu(IVRMenuNode(prompt: .text("Press 1 or 2"), options: ["1": "q1", "2": "q2"], timeoutSeconds: 4, maxAttempts: 2)),
         "q1": .enqueue(IVREnqueueNode(queue: "sales")),
         "q2": .hangup(IVRHangupNode(prompt: .text("Goodbye")))]
    }

    @Test func promptsBeforeAMenuPlayTogetherWithBargeIn() {
        var d = driver(menu)
        let out = d.start(now: now)
        #expect(texts(out) == [["Welcome", "Press 1 or 2"]])
        #expect(out.contains(.play(out.compactMap { if case .play(let p, _) = $0 { p } else { nil } }[0], bargeIn: true)))
        #expect(timers(out).isEmpty, "the first-digit timeout starts when the prompt ends")
        #expect(out.contains(.trace(.enterNode("a"))) && out.contains(.trace(.enterNode("m"))))
    }

    @Test func keyDuringThePromptStopsItAndCounts() {
        var d = driver(menu)
        _ = d.start(now: now)
        let out = d.handle(.digit("1"), now: now)
        #expect(out.first == .stopPlayback)
        #expect(out.contains(.input(node: "m", .digits("1"))))
        #expect(finished(out) == .enqueued(IVREnqueueRequest(queue: "sales", priority: 0, requiredSkills: [],
                                                             attributes: ["m.choice": "1"])))
        #expect(d.isFinished)
        #expect(d.handle(.playbackEnded, now: now).isEmpty, "the stopped prompt's end changes nothing")
    }

    @Test func noKeyAfterThePromptTimesOutAndRepeatsTheMenu() {
        var d = driver(menu)
        _ = d.start(now: now)
        let ended = d.handle(.playbackEnded, now: now)
        let timer = timers(ended)
        #expect(timer.count == 1 && timer[0].0 == 4)
        #expect(d.handle(.timer(timer[0].1 - 1), now: now).isEmpty, "a stale timer is ignored")
        let out = d.handle(.timer(timer[0].1), now: now)
        #expect(out.contains(.input(node: "m", .noInput)))
        #expect(texts(out) == [["Press 1 or 2"]])
        // Second and last attempt: no key again → the menu hangs up.
        let t2 = timers(d.handle(.playbackEnded, now: now))
        let last = d.handle(.timer(t2[0].1), now: now)
        #expect(finished(last) == .hungUp(node: "m"))
    }

    @Test func terminalPromptPlaysToTheEndBeforeTheOutcome() {
        var d = driver(menu)
        _ = d.start(now: now)
        let out = d.handle(.digit("2"), now: now)
        #expect(texts(out) == [["Goodbye"]])
        #expect(out.contains(.play(out.compactMap { if case .play(let p, _) = $0 { p } else { nil } }[0], bargeIn: false)))
        #expect(finished(out) == nil)
        #expect(d.handle(.digit("1"), now: now).isEmpty, "keys after the menu are ignored")
        #expect(finished(d.handle(.playbackEnded, now: now)) == .hungUp(node: "q2"))
    }

    func gather(finishKey: String? = "#") -> [String: IVRNode] {
        ["a": .gather(IVRGatherNode(prompt: .text("Account number"), variable: "acct", minDigits: 3, maxDigits: 6,
                                    finishKey: finishKey, firstDigitTimeoutSeconds: 5, interDigitTimeoutSeconds: 2,
                                    maxAttempts: 1, next: "q", onFailure: "f")),
         "q": .enqueue(IVREnqueueNode(queue: "billing")), "f": bye]
    }

    @Test func digitsEndAtTheFinishKey() {
        var d = driver(gather())
        _ = d.start(now: now)
        _ = d.handle(.playbackEnded, now: now)
        for key in "123" {
            let out = d.handle(.digit(key), now: now)
            #expect(timers(out).map(\.0) == [2], "each key restarts the inter-digit timeout")
        }
        let out = d.handle(.digit("#"), now: now)
        #expect(out.contains(.input(node: "a", .digits("123#"))))
        #expect(d.interpreter.variables["acct"] == .string("123"))
        #expect(d.isFinished)
    }

    @Test func digitsEndAtMaxDigitsOrInterDigitTimeout() {
        var d = driver(gather(finishKey: nil))
        _ = d.start(now: now)
        _ = d.handle(.playbackEnded, now: now)
        var out: [IVRCallDriver.Command] = []
        for key in "123456" { out = d.handle(.digit(key), now: now) }
        #expect(out.contains(.input(node: "a", .digits("123456"))))

        var e = driver(gather(finishKey: nil))
        _ = e.start(now: now)
        _ = e.handle(.playbackEnded, now: now)
        _ = e.handle(.digit("4"), now: now)
        let t = timers(e.handle(.digit("2"), now: now))
        let done = e.handle(.timer(t[0].1), now: now)
        #expect(done.contains(.input(node: "a", .digits("42"))))
        #expect(finished(done) == .hungUp(node: "f"), "two digits are too few: the gather fails over to 'f'")
        #expect(e.interpreter.path == ["a", "f"])
    }

    @Test func httpResultWaitsForTheHoldPrompt() {
        var d = driver([
            "a": .play(IVRPlayNode(prompt: .text("One moment"), next: "h")),
            "h": .http(IVRHTTPNode(url: "https://crm.test/x", responseMapping: ["tier": "tier"], next: "q", onError: "f")),
            "q": .enqueue(IVREnqueueNode(queue: "vip")), "f": bye])
        let out = d.start(now: now)
        #expect(texts(out) == [["One moment"]])
        #expect(out.contains { if case .httpRequest(let r) = $0 { r.url == "https://crm.test/x" } else { false } })
        #expect(d.handle(.http(.httpResponse(status: 200, body: #"{"tier":"gold"}"#)), now: now).isEmpty)
        let after = d.handle(.playbackEnded, now: now)
        #expect(finished(after) == .enqueued(IVREnqueueRequest(queue: "vip", priority: 0, requiredSkills: [], attributes: ["tier": "gold"])))
    }

    @Test func httpResultWithoutPromptIsFedAtOnce() {
        var d = driver([
            "h": .http(IVRHTTPNode(url: "https://crm.test/x", next: "q", onError: "f")),
            "q": .enqueue(IVREnqueueNode(queue: "vip")), "f": .hangup(IVRHangupNode(prompt: .text("Sorry")))], start: "h")
        _ = d.start(now: now)
        let out = d.handle(.http(.httpTimeout), now: now)
        #expect(texts(out) == [["Sorry"]])
        #expect(finished(d.handle(.playbackEnded, now: now)) == .hungUp(node: "f"))
    }

    @Test func callerHangUpEndsAtOnce() {
        var d = driver(menu)
        _ = d.start(now: now)
        #expect(finished(d.handle(.callerHungUp, now: now)) == .callerHungUp(node: "m"))
        #expect(d.handle(.digit("1"), now: now).isEmpty)
    }
}

@Suite("Queue announcement text")
struct QueueAnnouncementTextTests {
    @Test(arguments: [
        (3, 150, nil, "en-US", "You are number three in line. Your expected wait is about three minutes."),
        (1, 30, nil, "en-US", "You are next in line. Your expected wait is less than a minute."),
        (5, 900, 600, "en-GB", "You are number five in line. Your expected wait is more than ten minutes."),
        (3, 120, nil, "zh-CN", "您前面还有两位客户。预计等待时间约两分钟。"),
        (1, 20, nil, "zh-CN", "您是下一位。预计等待时间不到一分钟。"),
        (12, 3600, 1800, "zh-CN", "您前面还有十一位客户。预计等待时间超过三十分钟。"),
    ] as [(Int, Int, Int?, String, String)])
    func sentences(position: Int, wait: Int, cap: Int?, language: String, expected: String) {
        let p = QueueAnnouncementText.playback(position: position, estimatedWaitSeconds: cap.map { min(wait, $0) } ?? wait,
                                               capSeconds: cap, language: language)
        #expect(p?.text == expected)
        #expect(p?.language == language)
    }

    @Test func positionOnlyOrNothing() {
        #expect(QueueAnnouncementText.playback(position: 2, estimatedWaitSeconds: nil, capSeconds: nil, language: "en")?.text
                == "You are number two in line.")
        #expect(QueueAnnouncementText.playback(position: nil, estimatedWaitSeconds: nil, capSeconds: nil, language: "en") == nil)
    }
}
