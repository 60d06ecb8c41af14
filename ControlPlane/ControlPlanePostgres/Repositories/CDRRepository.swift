import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// The indexed columns of a CDR; the whole record is kept as `document` (JSON).
public struct CDRRow: Sendable {
    public var id: UUID
    public var tenantID: UUID
    public var nodeID: UUID?
    public var startedAt: Date
    public var endedAt: Date
    public var caller: String
    public var callee: String
    public var did: String?
    public var queueID: UUID?
    public var agentID: UUID?
    public var disposition: String
    public var document: String
    public var contentHash: String

    public init(id: UUID, tenantID: UUID, nodeID: UUID?, startedAt: Date, endedAt: Date, caller: String, callee: String,
                did: String?, queueID: UUID?, agentID: UUID?, disposition: String, document: String, contentHash: String) {
        self.id = id; self.tenantID = tenantID; self.nodeID = nodeID; self.startedAt = startedAt; self.endedAt = endedAt
        self.caller = caller; self.callee = callee; self.did = did; self.queueID = queueID; self.agentID = agentID
        self.disposition = disposition; self.document = document; self.contentHash = contentHash
    }
}

public enum CDRIngestOutcome: Sendable, Equatable {
    case stored, duplicate, conflicting
}

public struct CDRFilter: Sendable {
    public var from: Date?
    public var to: Date?
    public var number: String?
    public var queueID: UUID?
    public var agentID: UUID?
    public var disposition: String?
    public init(from: Date? = nil, to: Date? = nil, number: String? = nil, queueID: UUID? = nil, agentID: UUID? = nil,
                disposition: String? = nil) {
        self.from = from; self.to = to; self.number = number; self.queueID = queueID; self.agentID = agentID
        self.disposition = disposition
    }
}

public enum CDRRepository {
    /// Stores a CDR once. The same id again with the same content is a duplicate (safe to drop);
    /// with different content it is refused and nothing is written.
    public static func ingest(_ c: PostgresConnection, _ row: CDRRow, logger: Logger) async throws -> CDRIngestOutcome {
        var inserted = false
        for try await _ in try await c.query("""
            INSERT INTO cdr_ids (id, tenant_id, started_at, content_hash) VALUES (\(row.id), \(row.tenantID), \(row.startedAt), \(row.contentHash))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """, logger: logger).decode(UUID.self) { inserted = true }
        if !inserted {
            for try await hash in try await c.query("SELECT content_hash FROM cdr_ids WHERE id = \(row.id)", logger: logger).decode(String.self) {
                return hash == row.contentHash ? .duplicate : .conflicting
            }
            return .conflicting
        }
        try await c.query("""
            INSERT INTO cdrs (id, tenant_id, node_id, started_at, ended_at, caller, callee, did, queue_id, agent_id, disposition, document)
            VALUES (\(row.id), \(row.tenantID), \(row.nodeID), \(row.startedAt), \(row.endedAt), \(row.caller), \(row.callee), \(row.did),
                    \(row.queueID), \(row.agentID), \(row.disposition), \(row.document)::jsonb)
            """, logger: logger)
        return .stored
    }

    /// CDRs newest first; the cursor is the (started_at, id) of the last row.
    public static func list(_ c: PostgresConnection, tenantID: UUID, filter: CDRFilter, page: PageRequest,
                            logger: Logger) async throws -> Page<String> {
        let after = Paging.after(page.after)
        var rows: [(item: String, micros: Int64, id: UUID)] = []
        for try await (document, micros, id) in try await c.query("""
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
            """, logger: logger).decode((String, Int64, UUID).self) {
            rows.append((document, micros, id))
        }
        return Paging.page(rows, limit: page.limit)
    }

    public static func tenantExists(_ c: PostgresConnection, _ id: UUID, logger: Logger) async throws -> Bool {
        for try await _ in try await c.query("SELECT id FROM tenants WHERE id = \(id)", logger: logger).decode(UUID.self) { return true }
        return false
    }

    /// Keeps monthly partitions ready ahead of time (the function is SECURITY DEFINER).
    /// Makes the monthly partitions from last month to `monthsAhead` ahead (and for months whose
    /// CDRs wait in the default partition); returns how many it made.
    @discardableResult
    public static func ensurePartitions(_ c: PostgresConnection, monthsAhead: Int, logger: Logger) async throws -> Int {
        let rows = try await c.query("SELECT ensure_cdr_partitions(\(Int32(clamping: monthsAhead)))", logger: logger)
        for try await made in rows.decode(Int32.self) { return Int(made) }
        return 0
    }
}
