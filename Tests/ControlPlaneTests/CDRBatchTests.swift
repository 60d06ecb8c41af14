import AsyncHTTPClient
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing

extension Tag {
    @Tag static var cdrIngest: Self
}

/// CDR ingest (issue 13): a batch is validated per CDR and written in one transaction; a row
/// PostgreSQL refuses anyway is refused alone, and nothing of it is left behind.
@Suite("CDR batch ingest", .tags(.cdrIngest, .system))
struct CDRBatchTests {
    static func storedIDs(_ h: ControlPlaneHarness, _ table: String) async throws -> Set<String> {
        var ids: Set<String> = []
        for try await id in try await h.admin.query("SELECT id FROM \(unescaped: table)", logger: Logger(label: "test")).decode(UUID.self) {
            ids.insert(id.uuidString)  // upper case, as the fixtures make them
        }
        return ids
    }

    @Test("one batch with valid, duplicate, conflicting, NUL, bad-time, foreign, unknown-tenant and repeated CDRs is answered per CDR; exactly the valid ones are stored; a replay is all duplicates")
    func mixedBatch() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, _, _) = try await h.signup("acme")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)  // homes acme on node-1
            let elsewhere = try await h.signup("elsewhere")  // signed up after: homed on the next config fetch of a node
            let node2 = try await NodeChannelTests.registerNode(h, name: "node-2")
            _ = try await h.call(.get, "/v1/node/config", token: node2.credential)  // homes `elsewhere` on node-2

            let earlier = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T09:00:00Z")
            #expect(try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [earlier]])["stored"] as? [String]
                    == [earlier["id"] as? String ?? ""])

            let valid1 = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:00:00.125Z")
            let valid2 = NodeChannelTests.cdr(tenant: tenantID, caller: "+8613800000002", started: "2026-10-02T09:00:00Z")
            var conflicting = earlier
            conflicting["talkMs"] = 1
            let nul = NodeChannelTests.cdr(tenant: tenantID, caller: "+86\u{0}1", started: "2026-11-25T10:01:00Z")
            let backwards = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:02:00Z", ended: "2026-11-25T10:01:00Z")
            let ancient = NodeChannelTests.cdr(tenant: tenantID, started: "0001-01-01T00:00:00Z", ended: "0001-01-01T00:05:00Z")
            let foreign = NodeChannelTests.cdr(tenant: elsewhere.tenantID, started: "2026-11-25T10:03:00Z")
            let unknown = NodeChannelTests.cdr(tenant: UUID().uuidString, started: "2026-11-25T10:04:00Z")
            let badID = NodeChannelTests.cdr(id: "not-a-uuid", tenant: tenantID, started: "2026-11-25T10:05:00Z")
            var repeatedDifferent = valid1
            repeatedDifferent["talkMs"] = 2
            let batch = [valid1, earlier, conflicting, nul, backwards, ancient, foreign, unknown, badID, valid2, valid1, repeatedDifferent]
            let reply = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": batch])
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
            let id = { (cdr: [String: Any]) in cdr["id"] as? String ?? "" }
            #expect(reply["stored"] as? [String] == [id(valid1), id(valid2)])
            #expect(reply["duplicates"] as? [String] == [id(earlier), id(valid1)])
            let rejected = (reply["rejected"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["detail"] as? String ?? "") }
            #expect(rejected.map(\.0) == [id(conflicting), id(nul), id(backwards), id(ancient), id(foreign), id(unknown), "not-a-uuid", id(valid1)])
            let reasons = rejected.map(\.1)
            if reasons.count == 8 {
                #expect(reasons[0].contains("different CDR with this id"))
                #expect(reasons[1].contains("caller contains a NUL"))
                #expect(reasons[2].contains("endedAt is before startedAt"))
                #expect(reasons[3].contains("between 1970 and 9999"))
                #expect(reasons[4].contains("not homed on this node"))
                #expect(reasons[5].contains("does not exist") || reasons[5].contains("not homed"), "\(reasons[5])")
                #expect(reasons[6].contains("must be UUIDs"))
                #expect(reasons[7].contains("different CDR with this id"))
            }
            // The database holds exactly the valid CDRs (and the earlier one), in both tables.
            let expected = Set([earlier, valid1, valid2].map(id))
            #expect(try await Self.storedIDs(h, "cdrs") == expected)
            #expect(try await Self.storedIDs(h, "cdr_ids") == expected)
            let talk = try await h.admin.query("SELECT (document->>'talkMs')::int8 FROM cdrs WHERE id = \(UUID(uuidString: id(valid1)))",
                                               logger: Logger(label: "test")).collect()
            #expect(try talk.map { try $0.decode(Int64.self) } == [61_250], "the first of a repeated id is the one stored")

            // A replay of the whole batch: every stored CDR is now a duplicate, nothing new is stored.
            let replay = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": batch])
            #expect((replay["stored"] as? [String])?.isEmpty == true)
            #expect(replay["duplicates"] as? [String] == [id(valid1), id(earlier), id(valid2), id(valid1)])
            #expect((replay["rejected"] as? [[String: Any]])?.count == 8)
            #expect(try await Self.storedIDs(h, "cdrs") == expected)
        }
    }

    @Test("a row PostgreSQL refuses although it passed validation is refused alone with the database's reason; the rest of the batch is stored and the refused CDR left nothing behind")
    func databaseRefusalFallsBackPerRow() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, _, _) = try await h.signup("acme")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)
            // A rule the validation does not know: PostgreSQL refuses this caller.
            try await h.admin.query("ALTER TABLE cdrs ADD CONSTRAINT test_refuse_caller CHECK (caller <> '+10000000666')",
                                    logger: Logger(label: "test"))
            let good1 = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:00:00Z")
            let refused = NodeChannelTests.cdr(tenant: tenantID, caller: "+10000000666", started: "2026-11-25T10:01:00Z")
            let good2 = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:02:00Z")
            let reply = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [good1, refused, good2]])
            #expect(reply.status == 200)
            let id = { (cdr: [String: Any]) in cdr["id"] as? String ?? "" }
            #expect(reply["stored"] as? [String] == [id(good1), id(good2)])
            let rejected = reply["rejected"] as? [[String: Any]] ?? []
            #expect(rejected.map { $0["id"] as? String } == [id(refused)])
            #expect((rejected.first?["detail"] as? String)?.contains("test_refuse_caller") == true, "\(rejected)")
            #expect(try await Self.storedIDs(h, "cdr_ids") == Set([id(good1), id(good2)]), "no id left behind for the refused CDR")

            // Once PostgreSQL accepts it, the same CDR is stored (not a duplicate of a half-written row).
            try await h.admin.query("ALTER TABLE cdrs DROP CONSTRAINT test_refuse_caller", logger: Logger(label: "test"))
            let again = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [good1, refused]])
            #expect(again["stored"] as? [String] == [id(refused)])
            #expect(again["duplicates"] as? [String] == [id(good1)])
        }
    }

    /// CDRs per second for 4 concurrent uploads of 500-CDR batches: the batch path through HTTP, and
    /// at the repository level the old per-CDR transactions against the one-transaction batch.
    /// Runs only with CC_BENCH_CDR=1 (it prints figures; it asserts only that everything was stored).
    @Test("benchmark: 4 concurrent uploads of 500-CDR batches", .enabled(if: ProcessInfo.processInfo.environment["CC_BENCH_CDR"] == "1"))
    func benchmark() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, _, _) = try await h.signup("acme")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)
            let rounds = 5, uploads = 4, size = 500
            let port = try #require(h.client.port)
            func batch() throws -> Data {
                try JSONSerialization.data(withJSONObject: ["cdrs": (0..<size).map { i in
                    NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:\(String(format: "%02d", i % 60)):00Z")
                }])
            }
            // HTTP, batch path.
            var start = ContinuousClock.now
            for _ in 0..<rounds {
                let bodies = try (0..<uploads).map { _ in try batch() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for body in bodies {
                        group.addTask {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/node/cdrs")
                            request.method = .POST
                            request.headers.add(name: "Authorization", value: "Bearer \(node.credential)")
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(data: body))
                            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                            _ = try await response.body.collect(upTo: 1 << 24)
                            #expect(response.status == .ok)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let http = ContinuousClock.now - start
            let total = rounds * uploads * size
            #expect(try await Self.storedIDs(h, "cdr_ids").count == total)

            // Repository level: the old per-CDR transactions (tenant check + ingest each) against one batch transaction.
            let database = Database(client: h.postgres, logger: Logger(label: "bench"))
            let nodeID = try #require(UUID(uuidString: node.id)), tenant = try #require(UUID(uuidString: tenantID))
            func rows() -> [CDRRow] {
                (0..<size).map { i in
                    let started = Date(timeIntervalSince1970: 1_795_000_000 + Double(i))
                    return CDRRow(id: UUID(), tenantID: tenant, nodeID: nodeID, startedAt: started, endedAt: started.addingTimeInterval(60),
                                  caller: "+8613800000001", callee: "+861012345678", did: nil, queueID: nil, agentID: nil,
                                  disposition: "answered", document: #"{"k": 1}"#, contentHash: UUID().uuidString)
                }
            }
            start = ContinuousClock.now
            for _ in 0..<rounds {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<uploads {
                        let batch = rows()
                        group.addTask {
                            for row in batch {
                                _ = try await database.platform { c in
                                    guard try await CDRRepository.tenantExists(c, row.tenantID) else { return nil as CDRIngestOutcome? }
                                    return try await CDRRepository.ingest(c, row)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let perCDR = ContinuousClock.now - start
            start = ContinuousClock.now
            for _ in 0..<rounds {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<uploads {
                        let batch = rows()
                        group.addTask { _ = try await database.platform { c in try await CDRRepository.ingestBatch(c, batch) } }
                    }
                    try await group.waitForAll()
                }
            }
            let batched = ContinuousClock.now - start
            func rate(_ d: Duration) -> Int { Int(Double(total) / (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)) }
            print("CDR ingest, \(rounds) rounds of \(uploads) concurrent \(size)-CDR batches (\(total) CDRs each):")
            print("  HTTP POST /v1/node/cdrs (batch transaction): \(http), \(rate(http)) CDRs/s")
            print("  repository, one transaction per CDR (old):   \(perCDR), \(rate(perCDR)) CDRs/s")
            print("  repository, one transaction per batch (new): \(batched), \(rate(batched)) CDRs/s")
            #expect(try await Self.storedIDs(h, "cdr_ids").count == 3 * total)
        }
    }
}
