import ControlPlaneAPI
import ControlPlaneClient
import Foundation

/// The node's durable CDR spool: one JSON file per CDR in `<root>/pending/`, written with
/// `DurableFile` (temporary file, fsync, rename, fsync directory) so a CDR that `append` returned
/// for survives SIGKILL and power loss. Files leave `pending/` only when the control plane
/// reported the id as stored or duplicate (deleted) or rejected (moved to `<root>/rejected/`
/// with a `.reason` file beside it). Delivery is at least once; ingest is idempotent by id.
///
/// Blocking file I/O: call from a thread that may block (the shipper and `CallRuntime` use
/// NIO's blocking pool).
package struct CdrSpool: Sendable {
    package typealias Cdr = Components.Schemas.Cdr

    package let root: String
    var pendingDirectory: String { root + "/pending" }
    var rejectedDirectory: String { root + "/rejected" }
    var liveDirectory: String { root + "/live" }

    package init(root: String) throws {
        self.root = root
        try DurableFile.createDirectory(root + "/pending")
        try DurableFile.createDirectory(root + "/rejected")
        try DurableFile.createDirectory(root + "/live")
        try removeTemporaryFiles()
    }

    /// Writes `cdr` durably; when this returns, the CDR survives a crash.
    package func append(_ cdr: Cdr) throws {
        let bytes = try Self.encoder.encode(cdr)
        try DurableFile.write(Array(bytes), to: path(of: cdr.id))
    }

    /// Ids waiting to be shipped, oldest file name first (ids are time-ordered UUIDv7 when the node made them).
    package func pendingIDs() throws -> [String] {
        try DurableFile.list(pendingDirectory).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The spooled CDR `id`, or nil when it is gone.
    package func load(_ id: String) throws -> Cdr? {
        guard let bytes = try DurableFile.read(path(of: id)) else { return nil }
        return try Self.decoder.decode(Cdr.self, from: Data(bytes))
    }

    /// Removes CDRs the control plane holds (stored or duplicate). One directory fsync for the lot.
    package func acknowledge(_ ids: some Sequence<String>) throws {
        var any = false
        for id in ids where Self.isSafe(id) {
            if unlink(path(of: id)) != 0, errno != ENOENT {
                throw DurableFileError.unlinkFailed(path(of: id))
            }
            any = true
        }
        if any { try DurableFile.syncDirectory(pendingDirectory) }
    }

    /// Moves a CDR the control plane refused to `rejected/`, with the reason beside it.
    package func reject(_ id: String, detail: String) throws {
        guard Self.isSafe(id) else { return }
        try DurableFile.write(Array(detail.utf8), to: rejectedDirectory + "/\(id).reason")
        try DurableFile.move(path(of: id), to: rejectedDirectory + "/\(id).json")
    }

    /// Ids set aside as rejected.
    package func rejectedIDs() throws -> [String] {
        try DurableFile.list(rejectedDirectory).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    func path(of id: String) -> String { pendingDirectory + "/\(id).json" }

    // MARK: Calls in progress (for CDRs of calls the node dies with)

    /// Records (durably) what is known of a call in progress, as the CDR it would get if the node
    /// died now (`node_failure`). Rewritten as the call moves on; removed once its real CDR is spooled.
    package func recordLive(_ cdr: Cdr) throws {
        guard Self.isSafe(cdr.id) else { return }
        try DurableFile.write(Array(try Self.encoder.encode(cdr)), to: liveDirectory + "/\(cdr.id).json")
    }

    /// The call's real CDR is spooled: forget its live record.
    package func endLive(_ id: String) {
        guard Self.isSafe(id) else { return }
        unlink(liveDirectory + "/\(id).json")
    }

    package func liveIDs() throws -> [String] {
        try DurableFile.list(liveDirectory).filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Notes that the node is alive at `date` (once a second; not fsynced: it only has to survive
    /// the process, and bounds when calls the process died with ended).
    package func markAlive(_ date: Date) {
        let text = Array(String(date.timeIntervalSince1970).utf8)
        let fd = open(root + "/alive", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    package func lastAlive() -> Date? {
        guard let bytes = try? DurableFile.read(root + "/alive"), let seconds = Double(String(decoding: bytes, as: UTF8.self)) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// At start-up: every call the previous process died with becomes a `node_failure` CDR, ended
    /// at the last moment the process was known alive, and moves to `pending/` to be shipped.
    /// Returns how many. A call whose real CDR was already spooled only loses its live record.
    @discardableResult
    package func recoverInterruptedCalls() throws -> Int {
        let pending = Set(try pendingIDs())
        let alive = lastAlive()
        var recovered = 0
        for id in try liveIDs() {
            defer { endLive(id) }
            guard !pending.contains(id), let bytes = try DurableFile.read(liveDirectory + "/\(id).json"),
                  let provisional = try? Self.decoder.decode(Cdr.self, from: Data(bytes)) else { continue }
            try append(provisional.interrupted(at: max(provisional.endedAt, alive ?? provisional.endedAt)))
            recovered += 1
        }
        return recovered
    }

    /// Leftovers of writes interrupted by a crash (never renamed, so never a CDR).
    private func removeTemporaryFiles() throws {
        for name in try DurableFile.list(pendingDirectory) where name.contains(".tmp-") {
            unlink(pendingDirectory + "/" + name)
        }
    }

    /// Ids become file names: only UUID characters are accepted.
    static func isSafe(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            try c.encode(f.string(from: date))
        }
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = f.date(from: text) { return date }
            f.formatOptions = [.withInternetDateTime]
            if let date = f.date(from: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not RFC 3339: \(text)"))
        }
        return d
    }
}

extension DurableFileError {
    static func unlinkFailed(_ path: String) -> DurableFileError {
        DurableFileError(operation: "unlink", path: path)
    }
}

extension Components.Schemas.Cdr {
    /// This call as cut off by a node failure at `end`: whatever was running (talk, or the wait
    /// and the ringing) runs until then.
    package func interrupted(at end: Date) -> Self {
        func ms(_ from: Date?) -> Int64? { from.map { max(0, Int64((end.timeIntervalSince($0) * 1000).rounded())) } }
        var cdr = self
        cdr.endedAt = end
        cdr.disposition = .nodeFailure
        cdr.hangupBy = .system
        if answeredAt != nil {
            cdr.talkMs = ms(answeredAt)
        } else {
            if queuedAt != nil { cdr.waitMs = ms(queuedAt) }
            if offeredAt != nil { cdr.ringMs = ms(offeredAt) }
            if queuedAt == nil, ivrPath != nil, ivrEndedAt == nil { cdr.ivrMs = ms(startedAt) }
        }
        return cdr
    }
}

extension CdrSpool {
    /// A synthetic answered call, for tests and the spool tool.
    package static func testRecord(id: String, tenant: String, sequence: Int, start: Date = Date()) -> Cdr {
        Cdr(id: id, tenantId: tenant, callId: "test-\(sequence)", direction: .inbound, caller: "+8613800000000",
            callee: "+861012345678", did: "+861012345678", startedAt: start, answeredAt: start.addingTimeInterval(2),
            endedAt: start.addingTimeInterval(62), waitMs: 2000, talkMs: 60000, disposition: .answered,
            hangupBy: .caller, hangupReason: "test")
    }
}
