import CallControl
import ControlPlaneAPI
import ControlPlaneClient
import Crypto
import Foundation
import CallCenterModel
import Logging
import MediaEngine
import NodeTestSupport
import SDP
import SIPTransport
import SIPUserAgent
import Synchronization
import Testing

/// The simplest whole call, with PJSIP (pjsua2) as both the agent's phone and the caller:
/// agent REGISTER with digest against the snapshot's HA1 → INVITE on the DID → queue with music
/// on hold → INVITE to the agent's registered phone → bridge (a tone each way) → caller hangs up →
/// CDR in the spool with the right disposition and durations, events offered/answered/ended in order.
@Suite("Call path DID → queue → agent phone (pjsua2)")
struct CallPathTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let domain = "acme.sip.test"

    static let ivrNumber = "+861012340000"
    /// A queue nobody can serve (it needs French) that overflows to "Billing" after 2 s.
    static let frontNumber = "+861012340001", frontQueue = "00000000-0000-4000-8000-0000000000a2"
    /// A queue nobody can serve that overflows to voicemail after 1 s.
    static let closedNumber = "+861012340002", closedQueue = "00000000-0000-4000-8000-0000000000a3"

    /// The bilingual menu the IVR test dials: English welcome, a Mandarin option, per-language hold prompt, queue.
    static let menuFlow = IVRFlow(name: "main", start: "welcome", language: "en-US", nodes: [
        "welcome": .play(IVRPlayNode(prompt: .text("Welcome to Acme. For English, press 1."), next: "lang")),
        "lang": .menu(IVRMenuNode(prompt: IVRPrompt(text: "中文服务，请按二。", language: "zh-CN"),
                                  options: ["1": "en", "2": "zh"], timeoutSeconds: 5, maxAttempts: 2)),
        "en": .language(IVRLanguageNode(language: "en-US", next: "hold_en")),
        "zh": .language(IVRLanguageNode(language: "zh-CN", next: "hold_zh")),
        "hold_en": .play(IVRPlayNode(prompt: .text("Please hold for the next agent."), next: "queue")),
        "hold_zh": .play(IVRPlayNode(prompt: .text("请稍候，正在为您转接客服。"), next: "queue")),
        "queue": .enqueue(IVREnqueueNode(queue: "Billing", priority: "5")),
    ])

    static func snapshot(password: String) throws -> NodeSnapshot {
        var json = FakeControlPlane.snapshot(version: 7)
        var tenants = json["tenants"] as! [[String: Any]]
        var agents = tenants[0]["agents"] as! [[String: Any]]
        func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 { d.map { String(format: "%02x", $0) }.joined() }
        let text = Data("lina:\(domain):\(password)".utf8)
        agents[0]["ha1Md5"] = hex(Insecure.MD5.hash(data: text))
        agents[0]["ha1Sha256"] = hex(SHA256.hash(data: text))
        tenants[0]["agents"] = agents
        var queues = tenants[0]["queues"] as! [[String: Any]]
        var config = queues[0]["config"] as! [String: Any]
        config["announcements"] = ["announceOnJoin": true, "positionIntervalSeconds": 30]
        queues[0]["config"] = config
        queues.append(["id": frontQueue, "name": "Front", "config": [
            "requiredSkills": [["skill": "french", "minLevel": 1]], "maxWaitSeconds": 2,
            "overflow": ["type": "queue", "queue": "Billing"]] as [String: Any]])
        queues.append(["id": closedQueue, "name": "Closed", "config": [
            "requiredSkills": [["skill": "french", "minLevel": 1]], "maxWaitSeconds": 1,
            "overflow": ["type": "voicemail", "mailbox": "support"]] as [String: Any]])
        tenants[0]["queues"] = queues
        tenants[0]["skills"] = ["billing", "french"]
        tenants[0]["numbers"] = (tenants[0]["numbers"] as! [[String: Any]]) + [
            ["e164": ivrNumber, "route": ["type": "ivr", "ivrAlias": "main"]],
            ["e164": frontNumber, "route": ["type": "queue", "queueId": frontQueue]],
            ["e164": closedNumber, "route": ["type": "queue", "queueId": closedQueue]],
        ]
        tenants[0]["ivrAliases"] = [["alias": "main", "flowName": "main", "version": 1,
                                     "definition": try JSONSerialization.jsonObject(with: JSONEncoder().encode(menuFlow))]]
        json["tenants"] = tenants
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NodeSnapshot.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// The node's SIP side for `runtime`: a user agent on 127.0.0.1 (ephemeral UDP port) whose
    /// registrar checks the runtime's HA1s, and the call service that runs both.
    static func callService(_ runtime: CallRuntime, logger: Logger) -> (ua: SIPUserAgent, service: CallService) {
        let view = runtime.registrarView
        let ua = SIPUserAgent(configuration: SIPUserAgentConfiguration(
            transport: .init(host: "127.0.0.1", udpPort: 0, tcpPort: nil),
            registrar: RegistrarSettings(credentials: view, realmForDomain: { view.realm(forDomain: $0) }), logger: logger),
                              delegate: runtime)
        return (ua, CallService(runtime: runtime, userAgent: ua, drainDeadline: .seconds(1), logger: logger))
    }

    /// The node's call side in-process: CDR spool, media engine, prompt rendering and voicemail
    /// under `work`, the runtime on `snapshot`, its user agent and call service (not yet running).
    struct NodeCallSide {
        let runtime: CallRuntime
        let spool: CdrSpool
        /// One element per CDR made durable.
        let spooled: AsyncStream<Void>
        let ua: SIPUserAgent
        let service: CallService

        init(work: String, snapshot: NodeSnapshot, label: String,
             publish: @escaping @Sendable (Components.Schemas.NodeEvent) -> Void = { _ in },
             routeLookup: @escaping @Sendable (String) async -> NumberLookup = { _ in .notInService }) async throws {
            spool = try CdrSpool(root: work + "/spool")
            let (spooled, spooledContinuation) = AsyncStream.makeStream(of: Void.self)
            self.spooled = spooled
            let media = MediaEngine(configuration: MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1")))
            var logger = Logger(label: label)
            logger.logLevel = ProcessInfo.processInfo.environment["CC_TEST_LOG"] == "debug" ? .debug : .warning
            let prompts = PromptRenderer(configuration: .init(cacheDirectory: work + "/tts", promptDirectory: work + "/prompts"),
                                         logger: logger)
            var configuration = CallRuntime.Configuration()
            configuration.voicemailDirectory = work + "/voicemail"
            runtime = CallRuntime(configuration: configuration, media: media, spool: spool, prompts: prompts,
                                  cdrSpooled: { spooledContinuation.yield() }, publish: publish, routeLookup: routeLookup, logger: logger)
            await runtime.apply(snapshot: snapshot)
            (ua, service) = CallPathTests.callService(runtime, logger: logger)
        }
    }

    /// What one PJSIP call through the node left behind.
    struct CallResult {
        var cdr: CdrSpool.Cdr
        var events: [Components.Schemas.NodeEvent]
        var agentHeard: [Int16]
        var callerHeard: [Int16]
        var callerConfirmed: Double
        var agentConfirmed: Double
        var hungUp: Double
        var ttsCacheFiles: [String]
        var voicemailDirectory: String
        var keep: TemporaryDirectory
    }

    /// Runs the node's call side in-process and PJSIP as agent phone and caller: the agent
    /// registers, the caller dials `number` (pressing `dtmf` when given), the agent answers after
    /// 1 s of ringing, and the caller hangs up after 2 s of talk.
    /// With `agentOnBreakUntilQueued` the agent is on a break until the caller waits in the queue
    /// (`queue.updated` with one waiting), so the caller hears the queue's join announcement.
    /// With `hangUpAfter`, no agent is expected: the caller hangs up that many seconds after connecting.
    static func call(_ number: String, dtmf: String? = nil, agentOnBreakUntilQueued: Bool = false,
                     hangUpAfter: Double? = nil) async throws -> CallResult {
        let work = try TemporaryDirectory()
        try WAVSamples.writeCallTones(in: work.path)
        let events = Mutex<[Components.Schemas.NodeEvent]>([])
        let (queued, queuedSignal) = AsyncStream.makeStream(of: Void.self)
        let node = try await NodeCallSide(work: work.path, snapshot: try Self.snapshot(password: "agent-secret"), label: "call-path-test") { e in
            events.withLock { $0.append(e) }
            if e._type == .queue_updated, e.data.additionalProperties.value["waiting"] as? Int == 1 { queuedSignal.yield() }
        }
        let (runtime, spool, spooled, ua, service) = (node.runtime, node.spool, node.spooled, node.ua, node.service)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            let peer = try LineProcess("env", (dtmf.map { ["CC_DTMF=\($0)"] } ?? []) + (hangUpAfter.map { ["CC_HANGUP_AFTER=\($0)"] } ?? []) + [
                "python3", Self.repositoryRoot.appendingPathComponent("infra/node/pjsua2_callcenter.py").path,
                String(port), Self.domain, "lina", "agent-secret", number,
                work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav", "2",
            ])
            defer { peer.terminate() }
            _ = try await peer.waitForLine("REGISTERED", timeout: .seconds(20))
            await runtime.refreshPresence()
            #expect(await runtime.registeredAgents == 1)
            let tenant = "00000000-0000-4000-8000-000000000001", agent = "00000000-0000-4000-8000-0000000000b1"
            if agentOnBreakUntilQueued {
                #expect(await runtime.applyAgentCommand(tenant: tenant, agent: agent, state: .onBreak(reason: "lunch")) == nil)
            }
            peer.send("CALL")
            if agentOnBreakUntilQueued {
                var waiting = queued.makeAsyncIterator()
                _ = await waiting.next()
                #expect(await runtime.applyAgentCommand(tenant: tenant, agent: agent, state: .available) == nil)
            }
            let callerConfirmed = try await Self.time(peer.waitForLine("CALLER_CONFIRMED", timeout: .seconds(20)))
            let agentConfirmed = hangUpAfter != nil ? 0 : try await Self.time(peer.waitForLine("AGENT_CONFIRMED", timeout: .seconds(30)))
            let hungUp = try await Self.time(peer.waitForLine("CALLER_HUNGUP", timeout: .seconds(20)))
            _ = try await peer.waitForLine("DONE", timeout: .seconds(20))
            var it = spooled.makeAsyncIterator()
            _ = await it.next()
            let ids = try spool.pendingIDs()
            #expect(ids.count == 1)
            let cdr = try #require(try ids.first.flatMap { try spool.load($0) })
            group.cancelAll()
            return CallResult(cdr: cdr, events: events.withLock { $0 },
                              agentHeard: hangUpAfter != nil ? [] : try WAVSamples.read(work.path + "/agent-heard.wav"),
                              callerHeard: try WAVSamples.read(work.path + "/caller-heard.wav"),
                              callerConfirmed: callerConfirmed, agentConfirmed: agentConfirmed, hungUp: hungUp,
                              ttsCacheFiles: (try? FileManager.default.contentsOfDirectory(atPath: work.path + "/tts")) ?? [],
                              voicemailDirectory: work.path + "/voicemail", keep: work)
        }
    }

    @Test("PJSIP caller reaches the PJSIP agent through the queue; CDR and events are right")
    func didQueueAgentBridgeCdr() async throws {
        let r = try await Self.call("+861012345678")
        let cdr = r.cdr
        #expect(cdr.disposition == .answered)
        #expect(cdr.did == "+861012345678")
        #expect(cdr.caller == "+8613800138000")
        #expect(cdr.agentId == "00000000-0000-4000-8000-0000000000b1")
        #expect(cdr.queueId == "00000000-0000-4000-8000-0000000000a1")
        #expect(cdr.hangupBy == .caller)
        #expect(cdr.ivrPath == nil)
        let measuredTalk = (r.hungUp - r.agentConfirmed) * 1000
        let talk = Double(cdr.talkMs ?? -1)
        #expect(abs(talk - measuredTalk) < 150, "talk \(talk) ms vs measured \(measuredTalk) ms")
        #expect((cdr.ringMs ?? 0) >= 950, "the phone rang 1 s before answering: \(cdr.ringMs ?? 0)")
        #expect((cdr.waitMs ?? 0) >= cdr.ringMs ?? 0)
        #expect(cdr.mos != nil)
        let types = r.events.map(\._type.rawValue)
        #expect(types.filter { $0.hasPrefix("call.") } == ["call.offered", "call.answered", "call.ended"])
        #expect(types.contains("agent.state_changed"))

        // A tone each way: the agent heard the caller's 600 Hz, the caller (after MOH) the agent's 1 kHz.
        #expect(abs(WAVSamples.frequency(Array(r.agentHeard.suffix(8000).prefix(4000))) - 600) < 10)
        #expect(abs(WAVSamples.frequency(Array(r.callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
    }

    @Test("PJSIP caller hears the bilingual menu (espeak-ng), presses 2 by RFC 4733, queues and reaches the agent")
    func ivrMenuThenQueue() async throws {
        let r = try await Self.call(Self.ivrNumber, dtmf: "2", agentOnBreakUntilQueued: true)
        let cdr = r.cdr
        #expect(cdr.disposition == .answered)
        #expect(cdr.did == Self.ivrNumber)
        #expect(cdr.ivrPath == ["welcome", "lang", "zh", "hold_zh", "queue"])
        #expect(cdr.ivrInputs?.additionalProperties == ["lang": "2"])
        #expect(cdr.queueId == "00000000-0000-4000-8000-0000000000a1", "the flow names the queue 'Billing'")
        let ivrMs = try #require(cdr.ivrMs)
        // The IVR lasts from the answer until the Mandarin hold prompt has played (over a second of speech).
        #expect(ivrMs > 1000, "IVR \(ivrMs) ms")
        #expect(try #require(cdr.ivrEndedAt) <= cdr.queuedAt!)
        let measuredTalk = (r.hungUp - r.agentConfirmed) * 1000
        #expect(abs(Double(cdr.talkMs ?? -1) - measuredTalk) < 150)
        // Four sentences were synthesised: welcome, the Mandarin option, the Mandarin hold prompt, the announcement.
        #expect(r.ttsCacheFiles.filter { $0.hasSuffix(".wav") }.count == 4, "\(r.ttsCacheFiles)")
        // The caller heard speech in its first second (the welcome prompt), not silence or a tone.
        // (pjsua's recorder may start several hundred ms into the call under load: look at 2.5 s.)
        let first = Array(r.callerHeard.prefix(20000))
        let rms = (first.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(first.count, 1))).squareRoot()
        #expect(rms > 300, "caller heard RMS \(rms) in the first second")
        // Joining the queue, the caller was told its position and wait in the language it chose.
        let announced = cdr.events?.filter { $0._type == "announced" }.compactMap(\.detail) ?? []
        #expect(announced.first?.hasPrefix("您是下一位。") == true, "\(announced)")
        // The screen pop carries the IVR's inputs and variables.
        let offered = try #require(r.events.first { $0._type == .call_offered })
        let data = offered.data.additionalProperties.value
        #expect((data["ivrInputs"] as? [String: any Sendable])?["lang"] as? String == "2")
        #expect((data["variables"] as? [String: any Sendable])?["language"] as? String == "zh-CN")
        #expect(data["ivrPath"] as? [any Sendable] != nil)
        // Position history: the positions the queue announced (here: "next in line" on joining).
        let history = (data["positionHistory"] as? [(any Sendable)?])?.compactMap { entry -> Int? in
            guard let object = entry as? [String: (any Sendable)?], let position = object["position"] else { return nil }
            return position as? Int
        }
        #expect(history == [1], "\(String(describing: data["positionHistory"]))")
        #expect(abs(WAVSamples.frequency(Array(r.callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
    }

    @Test("a queue nobody can serve overflows after its max wait to the queue its configuration names, where the agent answers")
    func overflowToAnotherQueue() async throws {
        let r = try await Self.call(Self.frontNumber)
        #expect(r.cdr.disposition == .answered)
        #expect(r.cdr.queueId == "00000000-0000-4000-8000-0000000000a1", "answered in Billing")
        let overflow = r.cdr.events?.first { $0._type == "overflow" }
        #expect(overflow?.detail == "max_wait → queue Billing", "\(r.cdr.events ?? [])")
        #expect((r.cdr.waitMs ?? 0) >= 2000, "the wait counts from the first queue: \(r.cdr.waitMs ?? 0) ms")
        #expect(abs(WAVSamples.frequency(Array(r.callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
    }

    @Test("a queue overflowing to voicemail greets the caller in its language, beeps and records it until it hangs up")
    func overflowToVoicemail() async throws {
        let r = try await Self.call(Self.closedNumber, hangUpAfter: 12)
        #expect(r.cdr.disposition == .voicemail)
        #expect(r.cdr.hangupBy == .caller)
        let path = try #require(r.cdr.recording)
        #expect(path.hasPrefix(r.voicemailDirectory + "/00000000-0000-4000-8000-000000000001/support/"))
        // The caller's 600 Hz tone is in the message; the greeting (about 6 s of Mandarin speech) and the beep are not.
        let message = try WAVSamples.read(path)
        #expect(message.count > 8000 * 2, "\(message.count / 8) ms recorded")
        #expect(abs(WAVSamples.frequency(Array(message.suffix(8000).prefix(4000))) - 600) < 10)
        #expect(r.cdr.events?.contains { $0._type == "voicemail" && $0.detail == "support" } == true)
    }

    static func time(_ line: String) -> Double {
        Double(line.split(separator: " ")[1]) ?? 0
    }
}
