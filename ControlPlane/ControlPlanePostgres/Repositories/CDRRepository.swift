import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum CDRRepository {
    /// Stores a CDR once. The same id again with the same content is a duplicate (safe to drop);
    /// with different content it is refused and nothing is written.
    public static func ingest(_ tx: Transaction, _ row: CDRRow) async throws -> CDRIngestOutcome {
        var inserted = false
        for try await _ in try await tx.query("""
            INSERT INTO cdr_ids (id, tenant_id, started_at, content_hash) VALUES (\(row.id), \(row.tenantID), \(row.startedAt), \(row.contentHash))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """).decode(UUID.self) { inserted = true }
        if !inserted {
            for try await hash in try await tx.query("SELECT content_hash FROM cdr_ids WHERE id = \(row.id)").decode(String.self) {
                return hash == row.contentHash ? .duplicate : .conflicting
            }
            return .conflicting
        }
        try await tx.query("""
            INSERT INTO cdrs (id, tenant_id, node_id, started_at, ended_at, caller, callee, did, queue_id, agent_id, disposition, document)
            VALUES (\(row.id), \(row.tenantID), \(row.nodeID), \(row.startedAt), \(row.endedAt), \(row.caller), \(row.callee), \(row.did),
                    \(row.queueID), \(row.agentID), \(row.disposition), \(row.document)::jsonb)
            """)
        return .stored
    }

    /// Stores a batch of validated CDRs in the caller's transaction (issue 13: one transaction per
    /// batch, not per CDR) and answers per CDR, in the order given.
    ///
    /// Fast path: one statement. `cdr_ids` takes every new id (`ON CONFLICT DO NOTHING` finds the ids
    /// already stored, and a repeated id within the batch, in that same statement), `cdrs` takes the
    /// rows whose id went in, and the stored hash of every other id says duplicate or conflicting.
    /// If PostgreSQL refuses the statement anyway (a value the validation missed), it is rolled back
    /// to a savepoint and the batch is stored row by row, each under its own savepoint, so the refused
    /// CDR alone is answered `refused` with PostgreSQL's reason and nothing of it is left half-written.
    public static func ingestBatch(_ tx: Transaction, _ rows: [CDRRow]) async throws -> [CDRBatchOutcome] {
        guard !rows.isEmpty else { return [] }
        try await tx.query("SAVEPOINT cdr_batch")
        do {
            let outcomes = try await insertBatch(tx, rows)
            try await tx.query("RELEASE SAVEPOINT cdr_batch")
            return outcomes
        } catch let error as PSQLError where error.serverInfo != nil {
            try await tx.query("ROLLBACK TO SAVEPOINT cdr_batch")
            tx.logger.warning("CDR batch refused by PostgreSQL; storing it row by row",
                           metadata: ["error": "\(error.serverInfo?[.message] ?? "")", "count": "\(rows.count)"])
        }
        var outcomes: [CDRBatchOutcome] = []
        for row in rows {
            try await tx.query("SAVEPOINT cdr_row")
            do {
                switch try await ingest(tx, row) {
                case .stored: outcomes.append(.stored)
                case .duplicate: outcomes.append(.duplicate)
                case .conflicting: outcomes.append(.conflicting)
                }
                try await tx.query("RELEASE SAVEPOINT cdr_row")
            } catch let error as PSQLError where error.serverInfo != nil {
                try await tx.query("ROLLBACK TO SAVEPOINT cdr_row")
                outcomes.append(.refused(error.serverInfo?[.message] ?? "refused by the database"))
            }
        }
        return outcomes
    }

    /// One row of the batch as JSON for `jsonb_to_recordset` (times in microseconds since the epoch, exact).
    struct BatchRow: Encodable {
        var ord: Int
        var id: UUID
        var tenant_id: UUID
        var node_id: UUID?
        var started_us: Int64
        var ended_us: Int64
        var caller: String
        var callee: String
        var did: String?
        var queue_id: UUID?
        var agent_id: UUID?
        var disposition: String
        var document: String
        var content_hash: String
    }

    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }

    static func insertBatch(_ tx: Transaction, _ rows: [CDRRow]) async throws -> [CDRBatchOutcome] {
        let input = rows.enumerated().map { index, r in
            BatchRow(ord: index, id: r.id, tenant_id: r.tenantID, node_id: r.nodeID, started_us: micros(r.startedAt), ended_us: micros(r.endedAt),
                     caller: r.caller, callee: r.callee, did: r.did, queue_id: r.queueID, agent_id: r.agentID,
                     disposition: r.disposition, document: r.document, content_hash: r.contentHash)
        }
        let json = String(decoding: try JSONEncoder().encode(input), as: UTF8.self)
        var outcomes = [CDRBatchOutcome](repeating: .conflicting, count: rows.count)
        // Data-modifying CTEs all see the snapshot from before the statement: `stored_hash` is the hash
        // of an id stored by an earlier batch; an id repeated within this batch has none and is settled below.
        for try await (ord, inserted, storedHash) in try await tx.query("""
            WITH input AS (
                SELECT * FROM jsonb_to_recordset(\(json)::jsonb) AS r(ord int, id uuid, tenant_id uuid, node_id uuid, started_us int8,
                    ended_us int8, caller text, callee text, did text, queue_id uuid, agent_id uuid, disposition text,
                    document text, content_hash text)
            ), fresh AS (
                INSERT INTO cdr_ids (id, tenant_id, started_at, content_hash)
                SELECT id, tenant_id, 'epoch'::timestamptz + started_us * interval '1 microsecond', content_hash FROM input ORDER BY ord
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            ), first AS (
                SELECT DISTINCT ON (i.id) i.* FROM input i JOIN fresh f ON f.id = i.id ORDER BY i.id, i.ord
            ), stored AS (
                INSERT INTO cdrs (id, tenant_id, node_id, started_at, ended_at, caller, callee, did, queue_id, agent_id, disposition, document)
                SELECT id, tenant_id, node_id, 'epoch'::timestamptz + started_us * interval '1 microsecond',
                       'epoch'::timestamptz + ended_us * interval '1 microsecond', caller, callee, did, queue_id, agent_id,
                       disposition, document::jsonb
                FROM first
                RETURNING id
            )
            SELECT i.ord::int8, EXISTS (SELECT 1 FROM first WHERE first.ord = i.ord), (SELECT content_hash FROM cdr_ids WHERE cdr_ids.id = i.id)
            FROM input i ORDER BY i.ord
            """).decode((Int64, Bool, String?).self) {
            let index = Int(ord)
            guard rows.indices.contains(index) else { continue }
            if inserted {
                outcomes[index] = .stored
            } else if let storedHash {
                outcomes[index] = storedHash == rows[index].contentHash ? .duplicate : .conflicting
            } else if let earlier = rows[..<index].firstIndex(where: { $0.id == rows[index].id }) {
                // The same id earlier in this batch: a repeat of it, or a different CDR under its id.
                outcomes[index] = rows[earlier].contentHash == rows[index].contentHash ? .duplicate : .conflicting
            }
        }
        return outcomes
    }

    /// CDRs newest first; the cursor is the (started_at, id) of the last row.
    public static func list(_ tx: Transaction, tenantID: UUID, filter: CDRFilter, page: PageRequest) async throws -> Page<String> {
        let after = Paging.after(page.after)
        var rows: [(item: String, micros: Int64, id: UUID)] = []
        for try await (document, micros, id) in try await tx.query("""
            SELECT document::text, (extract(epoch from started_at) * 1000000)::int8, id FROM cdrs
            WHERE tenant_id = \(tenantID)
              AND (\(filter.from)::timestamptz IS NULL OR started_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR started_at < \(filter.to))
              AND (\(filter.number)::text IS NULL OR caller = \(filter.number) OR callee = \(filter.number) OR did = \(filter.number))
              AND (\(filter.queueID)::uuid IS NULL OR queue_id = \(filter.queueID))
              AND (\(filter.agentID)::uuid IS NULL OR agent_id = \(filter.agentID))
              AND (\(filter.disposition)::text IS NULL OR disposition = \(filter.disposition))
              AND (NOT \(after.has) OR (started_at, id) < ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY started_at DESC, id DESC LIMIT \(page.limit + 1)
            """).decode((String, Int64, UUID).self) {
            rows.append((document, micros, id))
        }
        return Paging.page(rows, limit: page.limit)
    }

    /// Which of `ids` are tenants.
    public static func existingTenants(_ tx: Transaction, _ ids: Set<UUID>) async throws -> Set<UUID> {
        var found: Set<UUID> = []
        for try await id in try await tx.query("SELECT id FROM tenants WHERE id = ANY(\(Array(ids)))").decode(UUID.self) {
            found.insert(id)
        }
        return found
    }

    public static func tenantExists(_ tx: Transaction, _ id: UUID) async throws -> Bool {
        for try await _ in try await tx.query("SELECT id FROM tenants WHERE id = \(id)").decode(UUID.self) { return true }
        return false
    }

    /// Keeps monthly partitions ready ahead of time (the function is SECURITY DEFINER).
    /// Makes the monthly partitions from last month to `monthsAhead` ahead (and for months whose
    /// CDRs wait in the default partition); returns how many it made.
    @discardableResult
    public static func ensurePartitions(_ tx: Transaction, monthsAhead: Int) async throws -> Int {
        let rows = try await tx.query("SELECT ensure_cdr_partitions(\(Int32(clamping: monthsAhead)))")
        for try await made in rows.decode(Int32.self) { return Int(made) }
        return 0
    }
}
