import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Node bootstrap tokens made through the API (platform scope only).
public enum BootstrapTokenRepository {
    static let columns = "id, name, token_prefix, created_at, expires_at, revoked_at, last_used_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: BootstrapTokenRecord, micros: Int64, id: UUID)] {
        var result: [(item: BootstrapTokenRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, prefix, created, expires, revoked, used, micros) in rows.decode(
            (UUID, String, String, Date, Date, Date?, Date?, Int64).self) {
            result.append((BootstrapTokenRecord(id: id, name: name, prefix: prefix, createdAt: created, expiresAt: expires,
                                                revokedAt: revoked, lastUsedAt: used), micros, id))
        }
        return result
    }

    public static func insert(_ tx: Transaction, _ t: BootstrapTokenRecord, token: BearerToken, createdBy: UUID?) async throws {
        try await tx.query("""
            INSERT INTO node_bootstrap_tokens (id, name, token_prefix, token_hash, created_by, created_at, expires_at)
            VALUES (\(t.id), \(t.name), \(t.prefix), \(Data(token.hash)), \(createdBy), \(t.createdAt), \(t.expiresAt))
            """)
    }

    public static func list(_ tx: Transaction, page: PageRequest) async throws -> Page<BootstrapTokenRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM node_bootstrap_tokens
            WHERE (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func revoke(_ tx: Transaction, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query("""
            UPDATE node_bootstrap_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id) RETURNING id
            """).decode(UUID.self) { found = true }
        return found
    }

    /// Whether staff have made any token: from then on the configured token is refused.
    public static func anyExists(_ tx: Transaction) async throws -> Bool {
        for try await exists in try await tx.query("SELECT EXISTS (SELECT 1 FROM node_bootstrap_tokens)").decode(Bool.self) {
            return exists
        }
        return false
    }

    public enum Admission: Sendable, Equatable {
        /// A staff-made token, marked used.
        case token(UUID)
        /// The configured token (CC_NODE_BOOTSTRAP_TOKEN), while staff have made none.
        case configured
        case wrong, expired, revoked
        /// The configured token, after staff made tokens of their own.
        case configuredReplaced
    }

    /// Decides whether a registration may proceed: a presented `ccb_` token is looked up (and marked
    /// used); otherwise the configured token counts only while no staff-made token exists.
    public static func admit(_ tx: Transaction, presented: BearerToken?, configuredTokenMatches: Bool, now: Date) async throws -> Admission {
        guard let presented else {
            guard configuredTokenMatches else { return .wrong }
            return try await anyExists(tx) ? .configuredReplaced : .configured
        }
        for try await (id, expires, revoked) in try await tx.query("""
            SELECT id, expires_at, revoked_at FROM node_bootstrap_tokens
            WHERE token_prefix = \(presented.prefix ?? "") AND token_hash = \(Data(presented.hash)) FOR UPDATE
            """).decode((UUID, Date, Date?).self) {
            if revoked != nil { return .revoked }
            if expires <= now { return .expired }
            try await tx.query("UPDATE node_bootstrap_tokens SET last_used_at = \(now) WHERE id = \(id)")
            return .token(id)
        }
        return .wrong
    }
}
