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
            let connection = ControlPlaneConnection(serverURL: url)
            var configuration = CdrShipper.Configuration()
            configuration.maxBatch = 10
            configuration.backoff = RetryBackoff(base: .milliseconds(10), maximum: .milliseconds(50), minimum: .milliseconds(1))
            let shipper = CdrShipper(spool: spool, uploader: NodeChannelCdrUploader { connection.client(credential: FakeControlPlane.credential) },
                                     configuration: configuration)
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

    /// Runs the shipper, polling `done` after each wake-up signal it gets.
    static func runUntil(_ shipper: CdrShipper, _ done: @escaping @Sendable () throws -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await shipper.run() }
            while try !done() {
                shipper.notify()
                await Task.yield()
                try await Task.sleep(for: .milliseconds(5))
            }
            group.cancelAll()
        }
    }
}
