import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Requests made with an `Idempotency-Key` (migration 0012). Runs in the principal's scope: the
/// tenant's for tenant credentials, platform scope for platform staff.
public enum IdempotencyKeyRepository {
    /// What a stored key says about a new request with the same key.
    public enum Claim: Sendable, Equatable {
        /// The key is new (or its record expired): the caller runs the request and then `complete`s or `release`s it.
        case claimed
        /// The key was used with a different method, path or body.
        case mismatch
        /// The first request with this key has not answered yet.
        case inFlight
        /// The first request answered; here is what to replay (`body` nil: not replayable).
        case completed(StoredResponse)
    }

    public struct StoredResponse: Sendable, Equatable {
        public var status: Int
        public var location: String?
        public var contentType: String?
        public var body: Data?

        public init(status: Int, location: String?, contentType: String?, body: Data?) {
            self.status = status
            self.location = location
            self.contentType = contentType
            self.body = body
        }
    }

    /// Claims `key` for `principal` or reports what it holds. A record that expired, or an in-flight
    /// one older than `abandonedAfter` (its request died with its process), is replaced. Two
    /// concurrent claims of one key serialise on the primary key: one claims, the other sees it in flight.
    public static func claim(_ tx: Transaction, principal: String, key: String, tenantID: UUID?, fingerprint: Data,
                             retention: Duration, abandonedAfter: Duration) async throws -> Claim {
        let retentionSeconds = Double(retention.components.seconds)
        let abandonedSeconds = Double(abandonedAfter.components.seconds)
        try await tx.query("""
            DELETE FROM idempotency_keys WHERE principal = \(principal) AND idempotency_key = \(key)
              AND (expires_at <= now()
                   OR (state = 'in_flight' AND created_at < now() - make_interval(secs => \(abandonedSeconds))))
            """)
        let insertedRows = try await tx.query("""
            INSERT INTO idempotency_keys (principal, idempotency_key, tenant_id, fingerprint, state, expires_at)
            VALUES (\(principal), \(key), \(tenantID), \(fingerprint), 'in_flight', now() + make_interval(secs => \(retentionSeconds)))
            ON CONFLICT (principal, idempotency_key) DO NOTHING
            RETURNING 1
            """)
        for try await _ in insertedRows.decode(Int32.self) { return .claimed }
        let selected = try await tx.query("""
            SELECT fingerprint, state, response_status, response_location, response_content_type, response_body
            FROM idempotency_keys WHERE principal = \(principal) AND idempotency_key = \(key)
            """)
        var row: (Data, String, Int32?, String?, String?, Data?)?
        for try await found in selected.decode((Data, String, Int32?, String?, String?, Data?).self) { row = found }
        // Gone between the insert and the select (its request failed and released it): the caller may retry.
        guard let (stored, state, status, location, contentType, body) = row else { return .inFlight }
        guard stored == fingerprint else { return .mismatch }
        guard state == "completed", let status else { return .inFlight }
        return .completed(StoredResponse(status: Int(status), location: location, contentType: contentType, body: body))
    }

    /// Records the answer of a claimed key.
    public static func complete(_ tx: Transaction, principal: String, key: String, response: StoredResponse) async throws {
        try await tx.query("""
            UPDATE idempotency_keys SET state = 'completed', response_status = \(Int32(response.status)),
                response_location = \(response.location), response_content_type = \(response.contentType),
                response_body = \(response.body)
            WHERE principal = \(principal) AND idempotency_key = \(key)
            """)
    }

    /// Gives up a claimed key whose request failed (nothing was created): a retry runs again.
    public static func release(_ tx: Transaction, principal: String, key: String) async throws {
        try await tx.query("""
            DELETE FROM idempotency_keys WHERE principal = \(principal) AND idempotency_key = \(key) AND state = 'in_flight'
            """)
    }

    /// Deletes expired records (platform scope); returns how many.
    @discardableResult
    public static func purgeExpired(_ tx: Transaction) async throws -> Int {
        let rows = try await tx.query("DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1")
        var count = 0
        for try await _ in rows.decode(Int32.self) { count += 1 }
        return count
    }
}
