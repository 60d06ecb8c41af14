import Foundation
import Testing
@testable import CallCenterModel

@Suite("IVR flow validation")
struct IVRFlowValidatorTests {
    let bye: IVRNode = .hangup(IVRHangupNode())

    func issues(_ nodes: [String: IVRNode], start: String = "a", queues: Set<String>? = nil) -> [IVRFlowIssue] {
        IVRFlowValidator.validate(IVRFlow(name: "t", start: start, nodes: nodes), knownQueues: queues)
    }

    @Test func validFlowHasNoIssues() {
        #expect(issues(["a": .menu(IVRMenuNode(prompt: .text("Menu"), options: ["1": "b"])), "b": bye]) == [])
    }

    @Test func missingStartAndTargetsNameTheNode() {
        #expect(issues(["a": bye], start: "zz").contains(IVRFlowIssue(node: nil, field: "start", message: "node 'zz' does not exist")))
        let found = issues(["a": .menu(IVRMenuNode(prompt: .text("M"), options: ["1": "b", "2": "ghost"], onTimeout: "void")), "b": bye])
        #expect(found == [IVRFlowIssue(node: "a", field: "options.2", message: "target node 'ghost' does not exist"),
                          IVRFlowIssue(node: "a", field: "onTimeout", message: "target node 'void' does not exist")])
        #expect(found[0].validationIssue == ValidationIssue(field: "nodes.a.options.2", message: "target node 'ghost' does not exist"))
    }

    @Test func unreachableNodes() {
        #expect(issues(["a": bye, "orphan": bye, "orphan2": .play(IVRPlayNode(prompt: .text("x"), next: "a"))]) == [
            IVRFlowIssue(node: "orphan", field: "", message: "is unreachable from the start node 'a'"),
            IVRFlowIssue(node: "orphan2", field: "", message: "is unreachable from the start node 'a'"),
        ])
    }

    @Test func loopWithoutInputIsRejectedButLoopThroughAMenuIsFine() {
        let spin = issues(["a": .play(IVRPlayNode(prompt: .text("x"), next: "b")),
                           "b": .set(IVRSetNode(assignments: ["n": "n + 1"], next: "c")),
                           "c": .condition(IVRConditionNode(branches: [.init(when: "n > 3", next: "d")], otherwise: "a")), "d": bye])
        #expect(spin == [IVRFlowIssue(node: "a", field: "", message: "loop without caller input or wait: a → b → c → a")])
        let selfLoop = issues(["a": .play(IVRPlayNode(prompt: .text("x"), next: "a"))])
        #expect(selfLoop.map(\.message) == ["loop without caller input or wait: a → a"])
        #expect(issues(["a": .menu(IVRMenuNode(prompt: .text("M"), options: ["1": "p", "9": "z"])),
                        "p": .play(IVRPlayNode(prompt: .text("x"), next: "a")), "z": bye]) == [])
        #expect(issues(["a": .http(IVRHTTPNode(url: "https://x.test", next: "p", onError: "z")),
                        "p": .play(IVRPlayNode(prompt: .text("x"), next: "a")), "z": bye]) == [])
    }

    @Test func templatesAndExpressionsMustParse() {
        let found = issues([
            "a": .play(IVRPlayNode(prompt: .text("Hi {{name|shout}}"), next: "b")),
            "b": .set(IVRSetNode(assignments: ["x": "1 +", "9bad": "1"], next: "c")),
            "c": .condition(IVRConditionNode(branches: [.init(when: "foo(", next: "d")], otherwise: "d")),
            "d": .http(IVRHTTPNode(method: "PUT", url: "http://plain.test/{{id", body: "{{ok}}", next: "e", onError: "e")),
            "e": .enqueue(IVREnqueueNode(queue: "sales", priority: "vip ?", requiredSkills: [SkillRequirement(skill: "Bad", minLevel: 0)])),
        ], queues: ["support"])
        let byNode = Dictionary(grouping: found, by: { $0.node ?? "" }).mapValues { $0.map(\.field) }
        #expect(byNode["a"] == ["prompt.text"])
        #expect(byNode["b"] == ["assignments.9bad", "assignments.x"])
        #expect(byNode["c"] == ["branches[0].when"])
        #expect(byNode["d"] == ["method", "url"])
        #expect(byNode["e"] == ["queue", "priority", "requiredSkills[0].skill", "requiredSkills[0].minLevel"])
        #expect(found.first { $0.node == "a" }!.message.hasPrefix("template does not parse: unknown format 'shout'"))
    }

    @Test func fieldRanges() {
        let found = issues([
            "a": .gather(IVRGatherNode(prompt: IVRPrompt(file: "f", text: "t"), variable: "1x", minDigits: 5, maxDigits: 3, finishKey: "##",
                                       firstDigitTimeoutSeconds: 0, maxAttempts: 0, next: "b", onFailure: "b")),
            "b": .menu(IVRMenuNode(prompt: .text("M"), options: ["11": "c"], timeoutSeconds: 0)),
            "c": .http(IVRHTTPNode(url: "https://x.test", timeoutSeconds: 99, responseMapping: ["v": ""], next: "d", onError: "d")),
            "d": .voicemail(IVRVoicemailNode(mailbox: "", maxSeconds: 1)),
        ])
        #expect(found.map { "\($0.node!).\($0.field)" } == [
            "a.prompt", "a.variable", "a.maxDigits", "a.finishKey", "a.firstDigitTimeoutSeconds", "a.maxAttempts",
            "b.options.11", "b.timeoutSeconds", "c.timeoutSeconds", "c.responseMapping.v", "d.mailbox", "d.maxSeconds",
        ])
    }

    @Test func businessHoursIssuesAreNested() {
        let hours = BusinessHours(timeZone: "Nowhere", weekly: [])
        let found = issues(["a": .businessHours(IVRBusinessHoursNode(hours: hours, open: "b", closed: "b")), "b": bye])
        #expect(found == [IVRFlowIssue(node: "a", field: "hours.timeZone", message: "'Nowhere' is not a known IANA time zone")])
    }

    @Test func decodingRejectsUnknownNodeTypes() {
        let json = #"{"start": "a", "nodes": {"a": {"type": "teleport", "next": "b"}}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(IVRFlow.self, from: Data(json.utf8)) }
    }

    @Test func everyNodeTypeRoundTripsThroughJSON() throws {
        let hours = BusinessHours(timeZone: "UTC", weekly: [.init(days: [.mon], open: "09:00", close: "17:00")])
        let flow = IVRFlow(name: "all", start: "play", nodes: [
            "play": .play(IVRPlayNode(prompt: .file("hi.wav"), next: "gather")),
            "gather": .gather(IVRGatherNode(prompt: .text("Enter"), variable: "d", next: "menu", onFailure: "hangup")),
            "menu": .menu(IVRMenuNode(prompt: .text("M"), options: ["1": "http", "2": "transfer", "3": "voicemail"])),
            "http": .http(IVRHTTPNode(url: "https://x.test", next: "set", onError: "hangup")),
            "set": .set(IVRSetNode(assignments: ["a": "1"], next: "condition")),
            "condition": .condition(IVRConditionNode(branches: [.init(when: "a == 1", next: "hours")], otherwise: "hangup")),
            "hours": .businessHours(IVRBusinessHoursNode(hours: hours, open: "language", closed: "hangup")),
            "language": .language(IVRLanguageNode(language: "zh-CN", next: "enqueue")),
            "enqueue": .enqueue(IVREnqueueNode(queue: "q")),
            "transfer": .transfer(IVRTransferNode(kind: .queue, target: "q")),
            "voicemail": .voicemail(IVRVoicemailNode(mailbox: "m")),
            "hangup": .hangup(IVRHangupNode()),
        ])
        #expect(IVRFlowValidator.validate(flow) == [])
        let data = try JSONEncoder().encode(flow)
        #expect(try JSONDecoder().decode(IVRFlow.self, from: data) == flow)
        let minimal = #"{"start":"g","nodes":{"g":{"type":"gather","prompt":{"text":"x"},"variable":"v","next":"h","onFailure":"h"},"h":{"type":"hangup"}}}"#
        let decoded = try JSONDecoder().decode(IVRFlow.self, from: Data(minimal.utf8))
        guard case .gather(let g)? = decoded.nodes["g"] else { Issue.record("not a gather"); return }
        #expect(g.finishKey == "#" && g.maxAttempts == 3 && g.firstDigitTimeoutSeconds == 5)
        #expect(decoded.language == "en-US")
    }
}
