import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum APIKeyRepository {
    static let columns = "id, tenant_id, name, prefix, scopes, created_at, last_used_at, revoked_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: APIKeyRecord, micros: Int64, id: UUID)] {
        var result: [(item: APIKeyRecord, micros: Int64, id: UUID)] = []
        for try await (id, tenant, name, prefix, scopes, created, used, revoked, micros) in rows.decode(
            (UUID, UUID, String, String, [String], Date, Date?, Date?, Int64).self) {
            result.append((APIKeyRecord(id: id, tenantID: tenant, name: name, prefix: prefix,
                                        scopes: scopes.compactMap(Scope.init(rawValue:)), createdAt: created,
                                        lastUsedAt: used, revokedAt: revoked), micros, id))
        }
        return result
    }

    public static func insert(_ tx: Transaction, _ k: APIKeyRecord, secretHash: [UInt8], createdBy: UUID?) async throws {
        try await QuotaRepository.reserve(tx, tenantID: k.tenantID, .apiKeys)
        try await tx.query("""
            INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, scopes, created_by, created_at)
            VALUES (\(k.id), \(k.tenantID), \(k.name), \(k.prefix), \(Data(secretHash)), \(k.scopes.map(\.rawValue)),
                    \(createdBy), \(k.createdAt))
            """)
    }

    public static func get(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> APIKeyRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(id)
            """)).first?.item
    }

    public static func list(_ tx: Transaction, tenantID: UUID, page: PageRequest) async throws -> Page<APIKeyRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM api_keys WHERE tenant_id = \(tenantID)
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func revoke(_ tx: Transaction, tenantID: UUID, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query("""
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id
            """).decode(UUID.self) { found = true }
        return found
    }

    /// The key with `prefix` (platform scope) if its hash matches and it is not revoked, with its tenant's status.
    public static func resolve(_ tx: Transaction, prefix: String, secretHash: [UInt8]) async throws -> (key: APIKeyRecord, tenantStatus: TenantStatus)? {
        let rows = try await tx.query("""
            SELECT k.id, k.tenant_id, k.name, k.prefix, k.scopes, k.created_at, k.last_used_at, k.revoked_at,
                   \(unescaped: Paging.cursorColumn.replacingOccurrences(of: "created_at", with: "k.created_at")), t.status
            FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.prefix = \(prefix) AND k.secret_hash = \(Data(secretHash)) AND k.revoked_at IS NULL
            """)
        for try await (id, tenant, name, prefix, scopes, created, used, revoked, _, status) in rows.decode(
            (UUID, UUID, String, String, [String], Date, Date?, Date?, Int64, String).self) {
            let key = APIKeyRecord(id: id, tenantID: tenant, name: name, prefix: prefix,
                                   scopes: scopes.compactMap(Scope.init(rawValue:)), createdAt: created,
                                   lastUsedAt: used, revokedAt: revoked)
            return (key, TenantStatus(rawValue: status) ?? .closed)
        }
        return nil
    }

    /// Records use, at most once a minute per key to keep authentication read-mostly.
    public static func touch(_ tx: Transaction, id: UUID) async throws {
        try await tx.query("""
            UPDATE api_keys SET last_used_at = now()
            WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            """)
    }
}
