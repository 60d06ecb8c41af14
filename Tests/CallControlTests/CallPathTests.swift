import CallControl
import ControlPlaneAPI
import ControlPlaneClient
import Crypto
import Foundation
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

    static func snapshot(password: String) throws -> NodeSnapshot {
        var json = FakeControlPlane.snapshot(version: 7)
        var tenants = json["tenants"] as! [[String: Any]]
        var agents = tenants[0]["agents"] as! [[String: Any]]
        func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 { d.map { String(format: "%02x", $0) }.joined() }
        let text = Data("lina:\(domain):\(password)".utf8)
        agents[0]["ha1Md5"] = hex(Insecure.MD5.hash(data: text))
        agents[0]["ha1Sha256"] = hex(SHA256.hash(data: text))
        tenants[0]["agents"] = agents
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

    @Test("PJSIP caller reaches the PJSIP agent through the queue; CDR and events are right")
    func didQueueAgentBridgeCdr() async throws {
        let work = try TemporaryDirectory()
        for (name, hz) in [("agent.wav", "1000"), ("caller.wav", "600")] {
            let sox = try LineProcess("sox", ["-D", "-n", "-r", "8000", "-b", "16", "-c", "1", work.path + "/" + name, "synth", "3", "sine", hz, "vol", "0.3"])
            #expect(sox.waitForExit() == 0, "sox is needed (infra/deps/apt.txt)")
        }
        let spool = try CdrSpool(root: work.path + "/spool")
        let (spooled, spooledContinuation) = AsyncStream.makeStream(of: Void.self)
        let events = Mutex<[String]>([])
        let media = MediaEngine(configuration: MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1")))
        var logger = Logger(label: "call-path-test")
        logger.logLevel = ProcessInfo.processInfo.environment["CC_TEST_LOG"] == "debug" ? .debug : .warning
        let runtime = CallRuntime(media: media, spool: spool, cdrSpooled: { spooledContinuation.yield() },
                                  publish: { e in events.withLock { $0.append(e._type.rawValue) } }, logger: logger)
        await runtime.apply(snapshot: try Self.snapshot(password: "agent-secret"))
        let (ua, service) = CallPathTests.callService(runtime, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            let peer = try LineProcess("python3", [
                Self.repositoryRoot.appendingPathComponent("infra/node/pjsua2_callcenter.py").path,
                String(port), Self.domain, "lina", "agent-secret", "+861012345678",
                work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav", "2",
            ])
            defer { peer.terminate() }
            _ = try await peer.waitForLine("REGISTERED", timeout: .seconds(20))
            await runtime.refreshPresence()
            #expect(await runtime.registeredAgents == 1)
            peer.send("CALL")
            let agentConfirmed = try await Self.time(peer.waitForLine("AGENT_CONFIRMED", timeout: .seconds(20)))
            let hungUp = try await Self.time(peer.waitForLine("CALLER_HUNGUP", timeout: .seconds(20)))
            _ = try await peer.waitForLine("DONE", timeout: .seconds(20))
            var it = spooled.makeAsyncIterator()
            _ = await it.next()

            let ids = try spool.pendingIDs()
            #expect(ids.count == 1)
            let cdr = try #require(try ids.first.flatMap { try spool.load($0) })
            #expect(cdr.disposition == .answered)
            #expect(cdr.did == "+861012345678")
            #expect(cdr.caller == "+8613800138000")
            #expect(cdr.agentId == "00000000-0000-4000-8000-0000000000b1")
            #expect(cdr.queueId == "00000000-0000-4000-8000-0000000000a1")
            #expect(cdr.hangupBy == .caller)
            let measuredTalk = (hungUp - agentConfirmed) * 1000
            let talk = Double(cdr.talkMs ?? -1)
            #expect(abs(talk - measuredTalk) < 150, "talk \(talk) ms vs measured \(measuredTalk) ms")
            #expect((cdr.ringMs ?? 0) >= 950, "the phone rang 1 s before answering: \(cdr.ringMs ?? 0)")
            #expect((cdr.waitMs ?? 0) >= cdr.ringMs ?? 0)
            #expect(cdr.mos != nil)
            let seen = events.withLock { $0 }.filter { $0.hasPrefix("call.") }
            #expect(seen == ["call.offered", "call.answered", "call.ended"])
            #expect(events.withLock { $0 }.contains("agent.state_changed"))

            // A tone each way: the agent heard the caller's 600 Hz, the caller (after MOH) the agent's 1 kHz.
            let agentHeard = try WAVSamples.read(work.path + "/agent-heard.wav")
            let callerHeard = try WAVSamples.read(work.path + "/caller-heard.wav")
            #expect(abs(WAVSamples.frequency(Array(agentHeard.suffix(8000).prefix(4000))) - 600) < 10)
            #expect(abs(WAVSamples.frequency(Array(callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
            group.cancelAll()
        }
    }

    static func time(_ line: String) -> Double {
        Double(line.split(separator: " ")[1]) ?? 0
    }
}
