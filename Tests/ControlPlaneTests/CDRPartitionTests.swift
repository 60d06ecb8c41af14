import ControlPlanePostgres
import ControlPlaneWorkers
import Foundation
import Logging
import PostgresNIO
import Testing

/// CDR partitions across month boundaries: made ahead by a maintenance job, also for a month whose
/// CDRs already landed in the default partition.
@Suite("CDR partition maintenance")
struct CDRPartitionTests {
    static func count(_ h: ControlPlaneHarness, _ sql: PostgresQuery) async throws -> Int {
        for try await n in try await h.admin.query(sql).decode(Int.self) { return n }
        return 0
    }

    @Test("a month whose CDRs landed in the default partition gets its partition with those rows moved in (making it used to fail for good)")
    func rowsInTheDefaultPartitionMoveToTheirMonth() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)  // homes the tenant on the node
            // Five months ahead: past the three the control plane made at start, as if it had run that long.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let month = calendar.date(byAdding: .month, value: 5, to: Date())!
            var parts = calendar.dateComponents([.year, .month], from: month)
            parts.day = 15
            parts.hour = 9
            let started = ISO8601DateFormatter().string(from: calendar.date(from: parts)!)
            let cdr = NodeChannelTests.cdr(tenant: tenantID, started: started)
            let stored = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [cdr]])
            #expect((stored["stored"] as? [String])?.count == 1, "\(stored.object)")
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM cdrs_default") == 1)

            let maintenance = CDRPartitionMaintenance(database: Database(client: h.postgres, logger: Logger(label: "t")), monthsAhead: 6,
                                                      logger: Logger(label: "t"))
            #expect(try await maintenance.runOnce() >= 1)
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM cdrs_default") == 0)
            let name = String(format: "cdrs_y%04dm%02d", parts.year ?? 0, parts.month ?? 0)
            #expect(try await Self.count(h, PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(name)")) == 1)
            let listed = try await h.call(.get, "/v1/cdrs", token: key)
            #expect(listed.items.map { $0["id"] as? String } == [cdr["id"] as? String])
            #expect(try await maintenance.runOnce() == 0, "idempotent")
            // A later CDR of that month goes straight to its partition.
            let later = NodeChannelTests.cdr(tenant: tenantID, started: started)
            _ = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [later]])
            #expect(try await Self.count(h, PostgresQuery(unsafeSQL: "SELECT count(*)::int8 FROM \(name)")) == 2)
        }
    }
}
