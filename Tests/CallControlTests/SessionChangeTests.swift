import CallControl
import Foundation
import NodeTestSupport
import RTPCore
import Testing

/// A call changing mid-way (issue 14), with PJSIP as caller and agent phone through the node's call
/// side in-process (`CallPathTests.NodeCallSide`): DTMF by SIP INFO driving the IVR, hold/resume
/// from the caller's phone with music to the agent, and RFC 4028 session refreshes on both legs.
@Suite("Session changes mid-call: INFO DTMF, hold/resume, session refresh (pjsua2)", .tags(.system))
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

    @Test("hold and resume from the caller's phone: 200 to both re-INVITEs, the agent hears music on hold, then the caller again")
    func holdAndResumeFromTheCaller() async throws {
        let r = try await Self.call("+861012345678", talk: 12, environment: ["CC_HOLD_AT=3", "CC_RESUME_AT=8"])
        let start = try #require(r.time("AGENT_RECORDING"))
        let hold = try #require(r.time("HOLD_SENT")) - start, resume = try #require(r.time("RESUME_SENT")) - start
        let hangUp = try #require(r.time("CALLER_HUNGUP")) - start
        // The phone's two re-INVITEs (a=sendonly, then a=sendrecv) were answered 200, and its media went
        // to "local hold" (2) and back to active (1).
        let reinvites = r.refreshes.filter { $0.leg == "caller" && $0.role == "uac" && $0.at - start >= hold }
        #expect(reinvites.map(\.status) == [200, 200], "\(r.refreshes)")
        let media = r.lines.filter { $0.hasPrefix("CALLER_MEDIA ") }.compactMap { line -> (Int, Double)? in
            let f = line.split(separator: " ")
            guard f.count == 3, let status = Int(f[1]), let at = Double(f[2]) else { return nil }
            return (status, at - start)
        }
        #expect(media.contains { $0.0 == 2 && $0.1 >= hold && $0.1 < resume }, "\(media)")
        #expect(media.last?.0 == 1 && (media.last?.1 ?? 0) >= resume, "\(media)")

        // The agent heard the caller's 600 Hz before the hold, the queue's music on hold (440 + 660 Hz,
        // the node default) and not the caller during it, and the caller again after the resume.
        let a = r.agentHeard
        let before = Self.amplitudes(a, hz: 600, from: hold - 1.5, to: hold - 0.2)
        #expect(!before.isEmpty && before.allSatisfy { $0 > 1000 }, "600 Hz before the hold: \(before)")
        let music440 = Self.amplitudes(a, hz: 440, from: hold, to: resume), music660 = Self.amplitudes(a, hz: 660, from: hold, to: resume)
        #expect(zip(music440, music660).contains { $0 > 300 && $1 > 300 }, "music on hold: 440 Hz \(music440), 660 Hz \(music660)")
        let callerDuringHold = Self.amplitudes(a, hz: 600, from: hold + 0.3, to: resume - 0.1)
        #expect(!callerDuringHold.isEmpty && callerDuringHold.allSatisfy { $0 < 200 }, "the caller is not relayed on hold: \(callerDuringHold)")
        let after = Self.amplitudes(a, hz: 600, from: resume + 0.5, to: hangUp - 0.3)
        #expect(after.count >= 20 && after.allSatisfy { $0 > 1000 }, "600 Hz after the resume: \(after)")
        // Music is the 440 + 660 Hz chord; a lone frame of 440 Hz leakage from a glitch in the caller's
        // 600 Hz under load is not music.
        let music440After = Self.amplitudes(a, hz: 440, from: resume + 0.5, to: hangUp - 0.3)
        let music660After = Self.amplitudes(a, hz: 660, from: resume + 0.5, to: hangUp - 0.3)
        #expect(!zip(music440After, music660After).contains { $0 > 300 && $1 > 300 },
                "no music after the resume: 440 Hz \(music440After), 660 Hz \(music660After)")
        // And the caller hears the agent's 1 kHz at the end.
        #expect(abs(WAVSamples.frequency(Array(r.callerHeard.suffix(16000).prefix(8000))) - 1000) < 10)

        #expect(r.cdr.disposition == .answered)
        #expect(r.cdr.hangupBy == .caller)
        let log = r.cdr.events?.map { [$0._type, $0.detail ?? ""].joined(separator: " ") } ?? []
        #expect(log.contains("held caller") && log.contains("resumed "), "\(log)")
    }

    /// The caller holds before anyone answers: its phone sends the hold re-INVITE (a=sendonly) while
    /// the agent's phone rings, and the agent answers once the caller's phone is on hold. The bridge
    /// is made with the caller already holding: the agent must hear the queue's music, not the
    /// caller's hold audio (before, hold was applied only on re-INVITEs during the bridge, so the
    /// agent got the caller's 600 Hz), and the caller once it resumes.
    @Test("a caller who holds while queued: the agent who answers hears music on hold until the caller resumes, then the caller")
    func holdWhileQueuedThenAnswered() async throws {
        let r = try await Self.call("+861012345678", talk: 9, environment: ["CC_HOLD_QUEUED=1", "CC_RESUME_AT=5"])
        let start = try #require(r.time("AGENT_RECORDING"))
        let held = try #require(r.time("HOLD_SENT")), connected = try #require(r.time("AGENT_CONFIRMED"))
        #expect(held < connected, "the caller held before the agent answered")
        let resume = try #require(r.time("RESUME_SENT")) - start, hangUp = try #require(r.time("CALLER_HUNGUP")) - start
        // The hold (while queued) and the resume (while bridged) were answered 200 (the report of the
        // dialog's first INVITE may land after HOLD_SENT too), and the caller's phone was on hold (2)
        // before the agent answered, active (1) after the resume.
        let reinvites = r.refreshes.filter { $0.leg == "caller" && $0.role == "uac" && $0.at >= held }
        #expect(reinvites.allSatisfy { $0.status == 200 } && reinvites.contains { $0.at < connected }
                && reinvites.contains { $0.at - start >= resume }, "\(r.refreshes)")
        let media = r.lines.filter { $0.hasPrefix("CALLER_MEDIA ") }.compactMap { line -> (Int, Double)? in
            let f = line.split(separator: " ")
            guard f.count == 3, let status = Int(f[1]), let at = Double(f[2]) else { return nil }
            return (status, at)
        }
        #expect(media.contains { $0.0 == 2 && $0.1 >= held && $0.1 <= connected }, "\(media)")
        #expect(media.last?.0 == 1 && (media.last?.1 ?? 0) - start >= resume, "\(media)")

        // From the answer to the resume the agent hears the music on hold (440 + 660 Hz: 400 ms of
        // tone every 3 s, so a burst at the answer and another 3 s later) and not the caller's
        // 600 Hz; after the resume the caller and no music.
        let a = r.agentHeard
        let music440 = Self.amplitudes(a, hz: 440, from: 0, to: resume), music660 = Self.amplitudes(a, hz: 660, from: 0, to: resume)
        let musicAt = zip(music440, music660).enumerated().filter { $1.0 > 300 && $1.1 > 300 }.map { Double($0.offset) / 10 }
        #expect(musicAt.contains { $0 < 1.5 } && musicAt.contains { $0 > 2.5 }, "music on hold, and again: 440 Hz \(music440), 660 Hz \(music660)")
        let callerDuringHold = Self.amplitudes(a, hz: 600, from: 0, to: resume - 0.1)
        #expect(!callerDuringHold.isEmpty && callerDuringHold.allSatisfy { $0 < 200 }, "the held caller is not relayed: \(callerDuringHold)")
        let after = Self.amplitudes(a, hz: 600, from: resume + 0.5, to: hangUp - 0.3)
        #expect(after.count >= 20 && after.allSatisfy { $0 > 1000 }, "600 Hz after the resume: \(after)")
        // Music is the 440 + 660 Hz chord (as detected above); one frame of 440 Hz leakage from a glitch in
        // the caller's 600 Hz under load (seen once in CI: 206 in one frame) is not music.
        let music440After = Self.amplitudes(a, hz: 440, from: resume + 0.5, to: hangUp - 0.3)
        let music660After = Self.amplitudes(a, hz: 660, from: resume + 0.5, to: hangUp - 0.3)
        let musicAfter = zip(music440After, music660After).filter { $0.0 > 300 && $0.1 > 300 }
        #expect(musicAfter.isEmpty, "no music after the resume: 440 Hz \(music440After), 660 Hz \(music660After)")
        #expect(abs(WAVSamples.frequency(Array(r.callerHeard.suffix(16000).prefix(8000))) - 1000) < 10)

        #expect(r.cdr.disposition == .answered)
        let log = r.cdr.events?.map { [$0._type, $0.detail ?? ""].joined(separator: " ") } ?? []
        let answered = log.firstIndex { $0.hasPrefix("answered ") }, heldAt = log.firstIndex(of: "held caller")
        let resumed = log.firstIndex { $0.hasPrefix("resumed") }
        #expect(answered != nil && heldAt != nil && resumed != nil && answered! < heldAt! && heldAt! < resumed!, "\(log)")
    }

    /// RFC 4028 at its minimum: Session-Expires 90 s (the smallest Min-SE, §4; PJSIP refuses less),
    /// on both legs. Each phone is the refresher of its leg (PJSIP sends UPDATE without SDP every
    /// 45 s; the agent's phone, whose timer is "always", names itself refresher in its 200), so the
    /// node answers refreshes as UAS of the caller's dialog and as UAC of the agent's. Before, the
    /// node answered every refresh 488. The call lasts 185 s, more than two whole session intervals.
    @Test("a call outlives two session intervals of 90 s: every refresh on both legs gets 200 and media still flows",
          .timeLimit(.minutes(5)))
    func sessionRefreshesKeepALongCallUp() async throws {
        let talk = 185.0
        let r = try await Self.call("+861012345678", talk: talk, environment: ["CC_TIMER=90"])
        let start = try #require(r.time("AGENT_RECORDING"))
        let hangUp = try #require(r.time("CALLER_HUNGUP"))
        #expect(hangUp - start > talk - 1)
        // Nobody hung up before the caller did.
        #expect(try #require(r.time("CALLER_DISCONNECTED")) >= hangUp)
        #expect(try #require(r.time("AGENT_DISCONNECTED")) >= hangUp)
        let refreshes = r.refreshes.filter { $0.at - start > 1 }
        let callerRefreshes = refreshes.filter { $0.leg == "caller" && $0.role == "uac" }
        let agentRefreshes = refreshes.filter { $0.leg == "agent" }
        #expect(callerRefreshes.count >= 3 && callerRefreshes.allSatisfy { $0.status == 200 }, "\(refreshes)")
        #expect(agentRefreshes.count >= 3 && agentRefreshes.allSatisfy { $0.status == 200 }, "\(refreshes)")
        #expect(refreshes.allSatisfy { $0.status == 200 }, "\(refreshes)")
        #expect(r.cdr.disposition == .answered)
        #expect(r.cdr.hangupBy == .caller)
        #expect(abs(Double(r.cdr.talkMs ?? 0) / 1000 - talk) < 2, "talk \(r.cdr.talkMs ?? 0) ms")
        // Media still flows both ways after the refreshes: the last 3 s carry each other's tone.
        let agentEnd = Self.amplitudes(r.agentHeard, hz: 600, from: hangUp - start - 3.5, to: hangUp - start - 0.5)
        #expect(agentEnd.count >= 25 && agentEnd.filter { $0 > 1000 }.count >= agentEnd.count - 2, "agent heard 600 Hz: \(agentEnd)")
        let callerStart = try #require(r.time("CALLER_CONFIRMED")) // its recorder starts with the media
        let callerEnd = Self.amplitudes(r.callerHeard, hz: 1000, from: hangUp - callerStart - 3.5, to: hangUp - callerStart - 0.5)
        #expect(callerEnd.count >= 25 && callerEnd.filter { $0 > 1000 }.count >= callerEnd.count - 2, "caller heard 1 kHz: \(callerEnd)")
    }
}
