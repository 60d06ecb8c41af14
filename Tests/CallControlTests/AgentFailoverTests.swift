import CallControl
import ControlPlaneAPI
import ControlPlaneClient
import Crypto
import Foundation
import Logging
import MediaEngine
import NodeTestSupport
import SDP
import Synchronization
import Testing

/// What happens when agents do not take a call, with real phones (SIPp, registered by PJSIP):
/// the best-skilled agent's phone declines with 486, the next one rings until the ring timeout
/// (CANCEL), the third answers.
@Suite("Agent failover (SIPp phones)", .serialized)
struct AgentFailoverTests {
    static let domain = "acme.sip.test"
    static let queue = "00000000-0000-4000-8000-0000000000a1"
    static let agents = [("rej", "00000000-0000-4000-8000-0000000000b1", 9), ("ring", "00000000-0000-4000-8000-0000000000b2", 8),
                         ("ok", "00000000-0000-4000-8000-0000000000b3", 5)]

    static func snapshot() throws -> NodeSnapshot {
        var json = FakeControlPlane.snapshot(version: 9)
        var tenants = json["tenants"] as! [[String: Any]]
        func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 { d.map { String(format: "%02x", $0) }.joined() }
        tenants[0]["queues"] = [["id": queue, "name": "Billing", "config": [
            "strategy": "skills_based", "requiredSkills": [["skill": "billing", "minLevel": 1]], "ringTimeoutSeconds": 5,
        ] as [String: Any]]]
        tenants[0]["agents"] = agents.map { user, id, level -> [String: Any] in
            let text = Data("\(user):\(domain):pw-\(user)".utf8)
            return ["id": id, "name": user, "extension": "10\(level)", "sipUsername": user, "ha1Md5": hex(Insecure.MD5.hash(data: text)),
                    "ha1Sha256": hex(SHA256.hash(data: text)), "skills": [["skill": "billing", "level": level]], "groupIds": [String]()]
        }
        json["tenants"] = tenants
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NodeSnapshot.self, from: JSONSerialization.data(withJSONObject: json))
    }

    static func sipp(_ directory: String, _ arguments: [String]) throws -> LineProcess {
        try LineProcess("sh", ["-c", "cd '\(directory)' && exec sipp " + arguments.map { "'\($0)'" }.joined(separator: " ")])
    }

    /// Runs the node's call side with the three phones registered; `body` gets the SIP port.
    static func withPhones(_ body: @Sendable (_ sipPort: Int, _ work: String, _ runtime: CallRuntime, _ spool: CdrSpool,
                                              _ spooled: AsyncStream<Void>) async throws -> Void) async throws {
        let work = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: work.path + "/pcap", withDestinationPath: "/usr/share/sip-tester")
        let node = try await CallPathTests.NodeCallSide(work: work.path, snapshot: try snapshot(), label: "failover-test")
        let (runtime, spool, spooled, ua, service) = (node.runtime, node.spool, node.spooled, node.ua, node.service)
        let root = CallPathTests.repositoryRoot.appendingPathComponent("infra/sipp").path
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            // The phones: one SIPp per agent, each registered by PJSIP with its Contact.
            var phones: [LineProcess] = [], registrars: [LineProcess] = []
            let scenarios = [["-sf", root + "/agent_reject.xml"],
                             ["-sf", root + "/uas_ring_expect_cancel.xml"],
                             ["-sf", root + "/agent_answer.xml"]]
            for (i, (user, _, _)) in agents.enumerated() {
                let phonePort = freeUDPPort()
                phones.append(try sipp(work.path, scenarios[i] + ["-i", "127.0.0.1", "-p", "\(phonePort)", "-mi", "127.0.0.1",
                                                                  "-mp", "\(freeUDPPort() & ~1)", "-nostdin"]))
                try "\(user);\(domain);pw-\(user)\n".write(toFile: work.path + "/\(user).csv", atomically: true, encoding: .utf8)
                registrars.append(try LineProcess("python3", [root + "/register_agents.py", "\(port)", work.path + "/\(user).csv", "\(phonePort)"]))
            }
            defer { for p in phones + registrars { p.terminate() } }
            for r in registrars { _ = try await r.waitForLine("REGISTERED", timeout: .seconds(20)) }
            await runtime.refreshPresence()
            #expect(await runtime.registeredAgents == 3)
            try await body(port, work.path, runtime, spool, spooled)
            group.cancelAll()
        }
    }

    static func caller(_ work: String, port: Int, talk: Int) throws -> LineProcess {
        try sipp(work, ["127.0.0.1:\(port)", "-sf", CallPathTests.repositoryRoot.appendingPathComponent("infra/sipp/caller_ivr_queue.xml").path,
                        "-s", "+861012345678", "-key", "caller_prefix", "+86139", "-i", "127.0.0.1", "-p", "\(freeUDPPort())",
                        "-mi", "127.0.0.1", "-mp", "\(freeUDPPort() & ~1)", "-m", "1", "-d", "\(talk)", "-nostdin", "-timeout", "60s"])
    }

    @Test("486 from the best-skilled agent, no answer from the next (CANCEL at the ring timeout), the third answers")
    func declineThenNoAnswerThenAnswer() async throws {
        try await Self.withPhones { port, work, _, spool, spooled in
            // Ringing: 486 at once, then 5 s of ringing, then the answer: the caller talks for 9 s after its key.
            let call = try Self.caller(work, port: port, talk: 9000)
            #expect(await call.exitStatus() == 0, "the caller's call failed")
            var it = spooled.makeAsyncIterator()
            _ = await it.next()
            let cdr = try #require(try spool.pendingIDs().first.flatMap { try spool.load($0) })
            #expect(cdr.disposition == .answered)
            #expect(cdr.agentId == Self.agents[2].1, "the third agent answered")
            let log = (cdr.events ?? []).map { "\($0._type) \($0.detail ?? "")" }
            let offered = log.filter { $0.hasPrefix("offered") }.map { String($0.dropFirst(8)) }
            // The best-skilled agent first; after its 486 the next one; at that one's ring timeout the
            // third, although the first agent's 5 s retry delay is over by then: everyone else first.
            #expect(offered == Self.agents.map(\.1), "\(log)")
            #expect(log.contains { $0.hasPrefix("agent_failed \(Self.agents[0].1)") && $0.contains("486") }, "\(log)")
            #expect(log.contains("offer_withdrawn \(Self.agents[1].1)"), "\(log)")
            #expect((cdr.ringMs ?? 0) >= 5000, "ringing lasted through the ring timeout: \(cdr.ringMs ?? 0) ms")
        }
    }
}
