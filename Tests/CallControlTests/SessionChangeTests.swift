import CallControl
import Foundation
import NodeTestSupport
import RTPCore
import Testing

/// A call changing mid-way (issue 14), with PJSIP as caller and agent phone through the node's call
/// side in-process (`CallPathTests.NodeCallSide`): DTMF by SIP INFO driving the IVR, hold/resume
/// from the caller's phone with music to the agent, and RFC 4028 session refreshes on both legs.
@Suite("Session changes mid-call: INFO DTMF, hold/resume, session refresh (pjsua2)")
struct SessionChangeTests {
    /// What one scripted call left: the script's lines, both recordings, the CDR.
    struct Outcome {
        var lines: [String]
        var cdr: CdrSpool.Cdr
        var agentHeard: [Int16]
        var callerHeard: [Int16]
        var keep: TemporaryDirectory

        /// The Unix time on the first line starting with `prefix`.
        func time(_ prefix: String) -> Double? {
            lines.first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }

        /// "REFRESH <leg> <role> <method> <status> <t>" lines as fields.
        var refreshes: [(leg: String, role: String, method: String, status: Int, at: Double)] {
            lines.compactMap { line in
                let f = line.split(separator: " ").map(String.init)
                guard f.count == 6, f[0] == "REFRESH", let status = Int(f[4]), let at = Double(f[5]) else { return nil }
                return (f[1], f[2], f[3], status, at)
            }
        }
    }

    /// Runs infra/node/pjsua2_session_changes.py against the node's call side: the agent registers,
    /// the caller dials `number`, the agent answers after 1 s, the caller hangs up `talk` seconds later.
    static func call(_ number: String, talk: Double, environment: [String] = []) async throws -> Outcome {
        let work = try TemporaryDirectory()
        try WAVSamples.writeCallTones(in: work.path)
        let node = try await CallPathTests.NodeCallSide(work: work.path, snapshot: try CallPathTests.snapshot(password: "agent-secret"),
                                                        label: "session-change-test")
        let (runtime, spool, spooled, ua, service) = (node.runtime, node.spool, node.spooled, node.ua, node.service)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            let peer = try LineProcess("env", environment + [
                "python3", CallPathTests.repositoryRoot.appendingPathComponent("infra/node/pjsua2_session_changes.py").path,
                String(port), CallPathTests.domain, "lina", "agent-secret", number,
                work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav",
                String(talk),
            ])
            defer { peer.terminate() }
            _ = try await peer.waitForLine("REGISTERED", timeout: .seconds(20))
            await runtime.refreshPresence()
            #expect(await runtime.registeredAgents == 1)
            peer.send("CALL")
            _ = try await peer.waitForLine("AGENT_CONFIRMED", timeout: .seconds(40))
            _ = try await peer.waitForLine("CALLER_HUNGUP", timeout: .seconds(Int64(talk) + 30))
            _ = try await peer.waitForLine("DONE", timeout: .seconds(20))
            var it = spooled.makeAsyncIterator()
            _ = await it.next()
            let cdr = try #require(try spool.pendingIDs().first.flatMap { try spool.load($0) })
            group.cancelAll()
            return Outcome(lines: peer.lines, cdr: cdr, agentHeard: try WAVSamples.read(work.path + "/agent-heard.wav"),
                           callerHeard: try WAVSamples.read(work.path + "/caller-heard.wav"), keep: work)
        }
    }

    /// Goertzel amplitude of `hz` in each 100 ms frame of `samples` between `from` and `to` seconds.
    static func amplitudes(_ samples: [Int16], hz: Double, from: Double, to: Double) -> [Double] {
        let start = max(0, Int(from * 8000)), end = min(samples.count, Int(to * 8000))
        guard start < end else { return [] }
        return stride(from: start, to: end - 799, by: 800).map { i in
            Goertzel(frequency: hz).amplitude(samples[i..<(i + 800)].map { Float($0) })
        }
    }

    @Test("a caller whose phone sends DTMF only by INFO (application/dtmf-relay) chooses the IVR option and reaches the agent")
    func infoDTMFDrivesTheIVR() async throws {
        let r = try await Self.call(CallPathTests.ivrNumber, talk: 2, environment: ["CC_DTMF=1", "CC_DTMF_METHOD=info"])
        #expect(r.lines.contains { $0.hasPrefix("DTMF_SENT") && $0.hasSuffix("1 info") })
        #expect(r.cdr.disposition == .answered)
        #expect(r.cdr.ivrPath == ["welcome", "lang", "en", "hold_en", "queue"])
        #expect(r.cdr.ivrInputs?.additionalProperties == ["lang": "1"])
        #expect(r.cdr.agentId == "00000000-0000-4000-8000-0000000000b1")
        let keys = r.cdr.events?.filter { $0._type == "dtmf" }.compactMap(\.detail) ?? []
        #expect(keys == ["1 sipInfo"], "\(keys)")
    }

    @Test("a phone that sends each key both by RFC 4733 and by INFO drives the IVR with one digit per key")
    func bothDTMFPathsGiveOneDigit() async throws {
        let r = try await Self.call(CallPathTests.ivrNumber, talk: 2, environment: ["CC_DTMF=2", "CC_DTMF_METHOD=both"])
        #expect(r.cdr.disposition == .answered)
        #expect(r.cdr.ivrPath == ["welcome", "lang", "zh", "hold_zh", "queue"])
        #expect(r.cdr.ivrInputs?.additionalProperties == ["lang": "2"])
        let keys = r.cdr.events?.filter { $0._type == "dtmf" }.compactMap(\.detail) ?? []
        #expect(keys.count == 1 && keys.first?.hasPrefix("2 ") == true, "one press, one digit: \(keys)")
    }
}
