import CallControl
import ControlPlaneAPI
import ControlPlaneClient
import Crypto
import Foundation
import NodeTestSupport
import Testing

/// Ring-all with three real phones (PJSIP, issue 14): the queue rings every available agent at
/// once, the first to answer is bridged, the others are CANCELled, and every agent is free for the
/// next call.
@Suite("Ring-all with three PJSIP agents", .serialized, .tags(.system))
struct RingAllTests {
    static let domain = CallPathTests.domain
    static let number = "+861012345678"
    static let queue = "00000000-0000-4000-8000-0000000000a1"
    static let agents = [("ann", "00000000-0000-4000-8000-0000000000c1"), ("bob", "00000000-0000-4000-8000-0000000000c2"),
                         ("cat", "00000000-0000-4000-8000-0000000000c3")]

    static func snapshot() throws -> NodeSnapshot {
        var json = FakeControlPlane.snapshot(version: 11)
        var tenants = json["tenants"] as! [[String: Any]]
        func hex<D: Sequence>(_ d: D) -> String where D.Element == UInt8 { d.map { String(format: "%02x", $0) }.joined() }
        // A ring timeout far beyond the test: only answers and CANCELs end the offers.
        tenants[0]["queues"] = [["id": queue, "name": "Support", "config": ["strategy": "ring_all", "ringTimeoutSeconds": 60] as [String: Any]]]
        tenants[0]["agents"] = agents.enumerated().map { i, agent -> [String: Any] in
            let (user, id) = agent
            let text = Data("\(user):\(domain):pw-\(user)".utf8)
            return ["id": id, "name": user, "extension": "20\(i)", "sipUsername": user, "ha1Md5": hex(Insecure.MD5.hash(data: text)),
                    "ha1Sha256": hex(SHA256.hash(data: text)), "skills": [[String: Any]](), "groupIds": [String]()]
        }
        json["tenants"] = tenants
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(NodeSnapshot.self, from: JSONSerialization.data(withJSONObject: json))
    }

    @Test("all three phones ring; the second answers and talks with the caller; the other two get CANCEL (487); the CDR names it; all three ring again for the next call, where the third answers")
    func secondAgentAnswersOthersCancelled() async throws {
        let work = try TemporaryDirectory()
        try WAVSamples.writeCallTones(in: work.path)
        let node = try await CallPathTests.NodeCallSide(work: work.path, snapshot: try Self.snapshot(), label: "ring-all-test")
        let (runtime, spool, spooled, ua, service) = (node.runtime, node.spool, node.spooled, node.ua, node.service)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            let phones = try LineProcess("python3", [
                CallPathTests.repositoryRoot.appendingPathComponent("infra/node/pjsua2_ring_all.py").path,
                String(port), Self.domain, Self.number, Self.agents.map { "\($0.0):pw-\($0.0)" }.joined(separator: ","), "bob,cat",
                work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav", "2",
            ])
            defer { phones.terminate() }
            _ = try await phones.waitForLine("READY", timeout: .seconds(20))
            await runtime.refreshPresence()
            #expect(await runtime.registeredAgents == 3)
            #expect(await runtime.agentsAvailable == 3)
            var cdrs = spooled.makeAsyncIterator()

            // Call 1: bob (the second agent) answers after 1 s of ringing.
            phones.send("CALL")
            _ = try await phones.waitForLine("CALL_DONE 1", timeout: .seconds(40))
            _ = await cdrs.next()
            let first = try #require(try spool.pendingIDs().first.flatMap { try spool.load($0) })
            var lines = phones.lines
            #expect(Set(lines.filter { $0.hasPrefix("RINGING 1 ") }.map { $0.split(separator: " ")[2] }) == ["ann", "bob", "cat"],
                    "\(lines)")
            #expect(lines.contains { $0.hasPrefix("AGENT_CONFIRMED 1 bob ") }, "\(lines)")
            #expect(lines.contains("ENDED 1 ann 487"), "\(lines)")
            #expect(lines.contains("ENDED 1 cat 487"), "\(lines)")
            #expect(first.disposition == .answered)
            #expect(first.agentId == Self.agents[1].1, "the CDR names bob")
            #expect(first.hangupBy == .caller)
            let log = (first.events ?? []).map { "\($0._type) \($0.detail ?? "")" }
            #expect(Set(log.filter { $0.hasPrefix("offered ") }) == Set(Self.agents.map { "offered \($0.1)" }), "\(log)")
            #expect(log.filter { $0.hasPrefix("answered ") } == ["answered \(Self.agents[1].1)"], "\(log)")
            #expect(log.filter { $0.hasPrefix("offer_cancelled ") }.count == 2, "\(log)")
            #expect(!log.contains { $0.hasPrefix("agent_failed") }, "\(log)")
            // Nobody stays reserved: all three are available again.
            #expect(await runtime.agentsAvailable == 3)

            // Call 2: all three ring again (none was left reserved); cat, CANCELled before, answers.
            phones.send("CALL")
            _ = try await phones.waitForLine("CALL_DONE 2", timeout: .seconds(40))
            _ = await cdrs.next()
            lines = phones.lines
            #expect(Set(lines.filter { $0.hasPrefix("RINGING 2 ") }.map { $0.split(separator: " ")[2] }) == ["ann", "bob", "cat"],
                    "\(lines)")
            #expect(lines.contains("ENDED 2 ann 487") && lines.contains("ENDED 2 bob 487"), "\(lines)")
            let second = try #require(try spool.pendingIDs().compactMap { try spool.load($0) }.first { $0.id != first.id })
            #expect(second.disposition == .answered)
            #expect(second.agentId == Self.agents[2].1, "the CDR names cat")
            #expect(await runtime.agentsAvailable == 3)

            phones.send("QUIT")
            _ = try await phones.waitForLine("DONE", timeout: .seconds(20))
            // Call 1's media: bob heard the caller's 600 Hz, the caller (after the music) bob's 1 kHz.
            let agentHeard = try WAVSamples.read(work.path + "/agent-heard.wav")
            let callerHeard = try WAVSamples.read(work.path + "/caller-heard.wav")
            #expect(abs(WAVSamples.frequency(Array(agentHeard.suffix(8000).prefix(4000))) - 600) < 10)
            #expect(abs(WAVSamples.frequency(Array(callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
            group.cancelAll()
        }
    }
}
