import CallControl
import ControlPlaneAPI
import ControlPlaneClient
import Foundation
import NodeTestSupport
import Testing

@Suite("CDR spool and shipper")
struct CdrSpoolTests {
    static let tenant = "00000000-0000-4000-8000-000000000001"

    static func record(_ n: Int) -> CdrSpool.Cdr {
        CdrSpool.testRecord(id: UUID().uuidString.lowercased(), tenant: tenant, sequence: n,
                            start: Date(timeIntervalSince1970: 1_790_000_000 + Double(n) + 0.123))
    }

    @Test("a spooled CDR reads back identical, millisecond timestamps included")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        let cdr = Self.record(1)
        try spool.append(cdr)
        #expect(try spool.pendingIDs() == [cdr.id])
        let back = try #require(try spool.load(cdr.id))
        #expect(back == cdr)
        #expect(back.startedAt.timeIntervalSince1970 == cdr.startedAt.timeIntervalSince1970)
    }

    @Test("calls up when the process died become node_failure CDRs ending at the last alive mark; a call already spooled is not doubled")
    func interruptedCallsAreRecovered() throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        let start = Date(timeIntervalSince1970: 1_790_000_000.250)
        // Talking since start+5 s, last recorded at start+5 s.
        var talking = CdrSpool.testRecord(id: UUID().uuidString.lowercased(), tenant: Self.tenant, sequence: 1, start: start)
        talking.answeredAt = start.addingTimeInterval(5)
        talking.endedAt = start.addingTimeInterval(5)
        talking.disposition = .nodeFailure
        // Waiting in the queue since start+1 s.
        var waiting = CdrSpool.testRecord(id: UUID().uuidString.lowercased(), tenant: Self.tenant, sequence: 2, start: start)
        waiting.answeredAt = nil; waiting.talkMs = nil
        waiting.queuedAt = start.addingTimeInterval(1)
        waiting.endedAt = start.addingTimeInterval(1)
        // Finished normally, but the process died before the live record went.
        let finished = Self.record(3)
        for r in [talking, waiting, finished] { try spool.recordLive(r) }
        try spool.append(finished)
        spool.markAlive(start.addingTimeInterval(65))

        // A new process on the same directory.
        let restarted = try CdrSpool(root: dir.path)
        #expect(try restarted.recoverInterruptedCalls() == 2)
        #expect(try restarted.liveIDs().isEmpty)
        #expect(Set(try restarted.pendingIDs()) == [talking.id, waiting.id, finished.id])
        #expect(try restarted.load(finished.id) == finished)
        let t = try #require(try restarted.load(talking.id))
        #expect(t.disposition == .nodeFailure && t.hangupBy == .system)
        #expect(t.endedAt == start.addingTimeInterval(65))
        #expect(t.talkMs == 60_000)
        let w = try #require(try restarted.load(waiting.id))
        #expect(w.waitMs == 64_000 && w.answeredAt == nil)
        #expect(try restarted.recoverInterruptedCalls() == 0, "recovery runs once")
    }

    @Test("acknowledge deletes; reject moves to rejected/ with the reason")
    func acknowledgeReject() throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        let a = Self.record(1), b = Self.record(2), c = Self.record(3)
        for r in [a, b, c] { try spool.append(r) }
        try spool.acknowledge([a.id, "../../etc/passwd"])
        try spool.reject(b.id, detail: "same id, different content")
        #expect(try spool.pendingIDs() == [c.id])
        #expect(try spool.rejectedIDs() == [b.id])
        let reason = try String(contentsOfFile: dir.path + "/rejected/\(b.id).reason", encoding: .utf8)
        #expect(reason == "same id, different content")
    }

    @Test("the shipper uploads everything over HTTP, retries through 503s, and deletes only what was acknowledged")
    func shipperAgainstServer() async throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        let records = (0..<25).map(Self.record)
        for r in records { try spool.append(r) }
        let cp = FakeControlPlane()
        cp.state.withLock { $0.failNextCdrRequests = 3 }
        // One CDR is already stored with different content: it must end in rejected/.
        let conflicting = records[7]
        cp.state.withLock { $0.storedCdrs[conflicting.id] = "{\"different\":true}" }
        try await cp.serve { url in
            let shipper = Self.fastShipper(spool, url: url)
            try await Self.runUntil(shipper) { try spool.pendingIDs().isEmpty }
            #expect(shipper.counters.stored == 24)
            #expect(shipper.counters.rejected == 1)
            #expect(shipper.counters.failedUploads == 3)
        }
        #expect(try spool.rejectedIDs() == [conflicting.id])
        let stored = cp.state.withLock { $0.storedCdrs }
        for r in records where r.id != conflicting.id {
            #expect(stored[r.id]?.contains("\"disposition\":\"answered\"") == true)
        }
    }

    @Test("one CDR that fails its whole batch with 500 holds nothing back: batches are split, the rest stored, it is dead-lettered after 3 strikes")
    func poisonedCdrIsDeadLettered() async throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        // The poisoned CDR is the newest: it is alone in the end, with nothing else succeeding
        // around it (an empty batch, sent as a control, tells the shipper the server is fine).
        var records = (0..<25).map(Self.record).sorted { $0.id < $1.id }
        records[24].caller = "poison"
        for r in records { try spool.append(r) }
        let cp = FakeControlPlane()
        cp.state.withLock { $0.failBatchesWithCaller = "poison" }
        try await cp.serve { url in
            let shipper = Self.fastShipper(spool, url: url)
            try await Self.runUntil(shipper) { try spool.pendingIDs().isEmpty }
            #expect(shipper.counters.stored == 24)
            #expect(shipper.counters.rejected == 1)
        }
        #expect(try spool.rejectedIDs() == [records[24].id])
        let reason = try String(contentsOfFile: dir.path + "/rejected/\(records[24].id).reason", encoding: .utf8)
        #expect(!reason.isEmpty)
        #expect(cp.state.withLock { $0.storedCdrs.count } == 24)
        // Before: the shipper retried the oldest batch forever and nothing after it was ever stored.
        #expect(cp.state.withLock { $0.cdrRequests } < 60)
    }

    @Test("text from the wire is cleaned before it reaches a CDR: no control characters, bounded lengths")
    func cdrTextIsCleaned() throws {
        var cdr = Self.record(1)
        cdr.caller = "\u{0}+86\r\n138\u{7F}"
        cdr.hangupReason = String(repeating: "x", count: 5000)
        cdr.ivrInputs = .init(additionalProperties: ["menu\u{0}": "1\n2"])
        cdr.events = [.init(at: Date(), _type: "queued\u{1B}", detail: "a\u{0}b")]
        let clean = cdr.sanitized()
        #expect(clean.caller == "+86138")
        #expect(clean.hangupReason?.count == 512)
        #expect(clean.ivrInputs?.additionalProperties == ["menu": "12"])
        #expect(clean.events?.first?._type == "queued" && clean.events?.first?.detail == "ab")
        let plain = Self.record(2)
        #expect(plain.sanitized() == plain)
    }

    @Test("a replay after a lost acknowledgement is a duplicate, and the spool empties")
    func replayIsDuplicate() async throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path)
        let r = Self.record(1)
        try spool.append(r)
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let connection = ControlPlaneConnection(serverURL: url)
            let uploader = NodeChannelCdrUploader { connection.client(credential: FakeControlPlane.credential) }
            // First upload stored, but pretend the node crashed before deleting: the file is still there.
            let first = try await uploader.upload([try #require(try spool.load(r.id))])
            #expect(first.stored == [r.id])
            let shipper = CdrShipper(spool: spool, uploader: uploader)
            try await Self.runUntil(shipper) { try spool.pendingIDs().isEmpty }
            #expect(shipper.counters.duplicates == 1)
            #expect(shipper.counters.stored == 0)
        }
        #expect(cp.state.withLock { $0.storedCdrs.count } == 1)
    }

    /// A shipper to the server at `url` in batches of 10 with millisecond backoff.
    static func fastShipper(_ spool: CdrSpool, url: URL) -> CdrShipper {
        let connection = ControlPlaneConnection(serverURL: url)
        var configuration = CdrShipper.Configuration()
        configuration.maxBatch = 10
        configuration.backoff = RetryBackoff(base: .milliseconds(10), maximum: .milliseconds(50), minimum: .milliseconds(1))
        return CdrShipper(spool: spool, uploader: NodeChannelCdrUploader { connection.client(credential: FakeControlPlane.credential) },
                          configuration: configuration)
    }

    /// Runs the shipper, polling `done` after each wake-up signal it gets.
    static func runUntil(_ shipper: CdrShipper, _ done: @escaping @Sendable () throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await shipper.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while try !done() {
                guard ContinuousClock.now < deadline else { throw CancellationError() }  // never hang the suite
                shipper.notify()
                await Task.yield()
                try await Task.sleep(for: .milliseconds(5))
            }
            group.cancelAll()
        }
    }
}
