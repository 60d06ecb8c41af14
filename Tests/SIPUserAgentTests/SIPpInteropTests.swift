import Foundation
import SIPMessage
import SIPTransaction
import SIPTransport
import SIPUserAgent
import Testing

/// SIPp's built-in scenarios against our user agent at 100 calls/s, with and without loss.
@Suite("SIPp interop", .serialized)
struct SIPpInteropTests {
    static let calls = 300

    @Test("sipp -sn uac calls our UA", arguments: [0, 10])
    func sippCallsUs(lossPercent: Int) async throws {
        let sipp = try ExternalTool.path("sipp")
        let delegate = RecordingDelegate()
        let dir = ExternalTool.temporaryDirectory("uac")
        try await withUserAgent(delegate: delegate) { ua, transport in
            let port = transport.udpAddress.port!
            var args = ["-sn", "uac", "127.0.0.1:\(port)", "-i", "127.0.0.1", "-p", "\(ExternalTool.freeUDPPort())",
                        "-r", "100", "-m", "\(Self.calls)", "-timeout", "120s", "-nostdin",
                        "-trace_err", "-error_file", dir.appendingPathComponent("errors.log").path]
            if lossPercent > 0 { args += ["-lost", "\(lossPercent)"] }
            let status = try await ExternalTool.run(sipp, args, outputFile: dir.appendingPathComponent("sipp.out"))
            #expect(status == 0, "SIPp reported failed calls; see \(dir.path)")
            let ended = await delegate.waitForEnded(Self.calls, timeout: .seconds(60))
            #expect(ended.count == Self.calls)
            let reasons = Dictionary(grouping: ended, by: { "\($0)" }).mapValues(\.count)
            if lossPercent == 0 {
                #expect(ended.allSatisfy { $0 == .remoteHangUp }, "end reasons: \(reasons)")
            } else {
                // SIPp's uac step "200 for BYE" also matches a retransmitted 200 for the INVITE: when its
                // ACK and BYE were both dropped by -lost, SIPp counts the call done without ever sending
                // them again. Our side then does what RFC 3261 §13.3.1.4 says: no ACK in 64*T1 → BYE.
                #expect(ended.allSatisfy { $0 == .remoteHangUp || $0 == .ackTimeout }, "end reasons: \(reasons)")
            }
            #expect(await ua.activeCallCount == 0)
        }
    }

    /// With loss our INVITE retransmissions reach SIPp after it answered; its built-in uas
    /// aborts on those, so the lossy run uses infra/sipp/uas_invite_retransmits.xml (same flow,
    /// plus absorbing the retransmission) and T1 = 1 s so our Timer A does not coincide with
    /// SIPp's 500 ms 200-retransmission timer (a race inside SIPp's scenario engine).
    @Test("our UA calls sipp -sn uas", arguments: [0, 10])
    func weCallSipp(lossPercent: Int) async throws {
        let sipp = try ExternalTool.path("sipp")
        let dir = ExternalTool.temporaryDirectory("uas")
        let sippPort = ExternalTool.freeUDPPort()
        var args = lossPercent > 0
            ? ["-sf", ExternalTool.infraFile("sipp/uas_invite_retransmits.xml"), "-lost", "\(lossPercent)"]
            : ["-sn", "uas"]
        args += ["-i", "127.0.0.1", "-p", "\(sippPort)", "-m", "\(Self.calls)", "-timeout", "120s", "-nostdin",
                 "-trace_err", "-error_file", dir.appendingPathComponent("errors.log").path]
        let timers = lossPercent > 0 ? TransactionTimers(t1: .seconds(1)) : TransactionTimers()
        let sippArgs = args
        try await withUserAgent(delegate: RecordingDelegate(), timers: timers) { ua, _ in
            let sippStatus = try await runSipp(sipp, sippArgs, dir: dir) {
                // SIPp may bind a little after we start: Timer A retransmissions cover that.
                let target = SIPURI(user: "service", host: "127.0.0.1", port: sippPort)
                let results = await placeCalls(ua, target: target, count: Self.calls, perSecond: 100)
                #expect(results.failed == 0, "calls failed on our side: \(results)")
            }
            if lossPercent == 0 {
                #expect(sippStatus == 0, "SIPp reported failed calls; see \(dir.path)")
            } else if sippStatus != 0 {
                // See infra/sipp/uas_invite_retransmits.xml: the only failure accepted is SIPp aborting
                // a call because our ACK reached it while it was "at" a 200 that -lost had dropped.
                let aborts = try sippAborts(dir.appendingPathComponent("errors.log"))
                #expect(!aborts.isEmpty && aborts.count <= Self.calls / 100, "SIPp failed calls; see \(dir.path)")
                #expect(aborts.allSatisfy { $0.contains("while sending") && $0.contains("received 'ACK ") },
                        "SIPp failed calls for another reason: \(aborts)")
            }
            #expect(await ua.activeCallCount == 0)
        }
    }
}

extension SIPpInteropTests {
    /// RFC 3261 §9.1 against SIPp as a phone that rings and never answers: cancelling the task that
    /// awaits `invite` sends CANCEL; SIPp answers it 200 and the INVITE 487, and checks our ACK.
    @Test("cancelling our ringing INVITE sends CANCEL; the phone's 487 ends it", .timeLimit(.minutes(1)))
    func cancelRingingInvite() async throws {
        let sipp = try ExternalTool.path("sipp")
        let dir = ExternalTool.temporaryDirectory("cancel")
        let sippPort = ExternalTool.freeUDPPort()
        let calls = 5
        let args = ["-sf", ExternalTool.infraFile("sipp/uas_ring_expect_cancel.xml"), "-i", "127.0.0.1", "-p", "\(sippPort)",
                    "-m", "\(calls)", "-timeout", "60s", "-nostdin", "-trace_err", "-error_file", dir.appendingPathComponent("errors.log").path]
        try await withUserAgent(delegate: RecordingDelegate()) { ua, _ in
            let sippStatus = try await runSipp(sipp, args, dir: dir) {
                let target = SIPURI(user: "phone", host: "127.0.0.1", port: sippPort)
                for _ in 0..<calls {
                    let (ringing, ring) = AsyncStream.makeStream(of: Int.self)
                    let attempt = Task { try await ua.invite(target, offer: RecordingDelegate.sdp(), onProgress: { ring.yield($0) }) }
                    var it = ringing.makeAsyncIterator()
                    #expect(await it.next() == 180)
                    attempt.cancel()
                    let failure = await #expect(throws: SIPRequestFailure.self) { _ = try await attempt.value }
                    #expect(failure?.statusCode == 487)
                }
            }
            #expect(sippStatus == 0, "SIPp did not see CANCEL/ACK as expected; see \(dir.path)")
            #expect(await ua.activeCallCount == 0)
        }
    }
}

extension SIPpInteropTests {
    /// A draining or full node refuses with 503 and says when to come back (RFC 3261 §21.5.4):
    /// SIPp's scenario fails the call unless the 503 carries a numeric Retry-After.
    @Test("a 503 refusal carries Retry-After", .timeLimit(.minutes(1)))
    func rejectCarriesRetryAfter() async throws {
        let sipp = try ExternalTool.path("sipp")
        let dir = ExternalTool.temporaryDirectory("retry-after")
        try await withUserAgent(delegate: RecordingDelegate(rejectStatus: 503, retryAfter: 30)) { _, transport in
            let port = transport.udpAddress.port!
            let status = try await ExternalTool.run(sipp, [
                "-sf", ExternalTool.infraFile("sipp/uac_expect_503_retry_after.xml"), "127.0.0.1:\(port)", "-i", "127.0.0.1",
                "-p", "\(ExternalTool.freeUDPPort())", "-m", "3", "-timeout", "30s", "-nostdin",
                "-trace_err", "-error_file", dir.appendingPathComponent("errors.log").path,
            ], outputFile: dir.appendingPathComponent("sipp.out"))
            #expect(status == 0, "SIPp did not see 503 with Retry-After; see \(dir.path)")
        }
    }
}

/// Runs SIPp as the called side while `drive` places our calls to it; returns SIPp's exit status.
func runSipp(_ sipp: String, _ arguments: [String], dir: URL, drive: @escaping @Sendable () async -> Void) async throws -> Int32? {
    try await withThrowingTaskGroup(of: Int32?.self) { group in
        group.addTask { try await ExternalTool.run(sipp, arguments, outputFile: dir.appendingPathComponent("sipp.out")) }
        group.addTask {
            await drive()
            return nil
        }
        var status: Int32?
        for try await r in group where r != nil { status = r }
        return status
    }
}

/// SIPp's "Aborting call on unexpected message" lines from an -error_file.
func sippAborts(_ file: URL) throws -> [String] {
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    return text.components(separatedBy: "\n").filter { $0.contains("Aborting call") }
}

/// Places calls at a fixed rate (load generation); each is answered and hung up.
func placeCalls(_ ua: SIPUserAgent, target: SIPURI, count: Int, perSecond: Int) async -> (ok: Int, failed: Int) {
    await withTaskGroup(of: Bool.self) { group in
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            try? await clock.sleep(until: start + .milliseconds(1000 * i / perSecond))
            group.addTask {
                do {
                    let call = try await ua.invite(target, offer: RecordingDelegate.sdp())
                    await call.hangUp()
                    return true
                } catch {
                    return false
                }
            }
        }
        var ok = 0, failed = 0
        for await r in group { if r { ok += 1 } else { failed += 1 } }
        return (ok, failed)
    }
}
