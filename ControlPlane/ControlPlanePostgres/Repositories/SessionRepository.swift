import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum SessionRepository {
    public static func create(_ tx: Transaction, user: UserRecord, tokenHash: [UInt8], expiresAt: Date) async throws -> UUID {
        let id = UUID()
        try await tx.query("""
            INSERT INTO sessions (id, tenant_id, user_id, token_hash, expires_at)
            VALUES (\(id), \(user.tenantID), \(user.id), \(Data(tokenHash)), \(expiresAt))
            """)
        return id
    }

    /// A live session for the token hash (platform scope), with the tenant's status.
    public static func resolve(_ tx: Transaction, tokenHash: [UInt8], now: Date) async throws -> (sessionID: UUID, user: UserRecord, tenantStatus: TenantStatus?)? {
        let rows = try await tx.query("""
            SELECT s.id, u.id, u.tenant_id, u.email, u.name, u.role, u.created_at, t.status
            FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN tenants t ON t.id = u.tenant_id
            WHERE s.token_hash = \(Data(tokenHash)) AND s.revoked_at IS NULL AND s.expires_at > \(now)
            """)
        for try await (sid, id, tenant, email, name, role, created, status) in rows.decode(
            (UUID, UUID, UUID?, String, String, String, Date, String?).self) {
            let user = UserRecord(id: id, tenantID: tenant, email: email, name: name, role: Role(rawValue: role) ?? .agent, createdAt: created)
            return (sid, user, status.flatMap(TenantStatus.init(rawValue:)))
        }
        return nil
    }

    public static func revoke(_ tx: Transaction, id: UUID) async throws {
        try await tx.query("UPDATE sessions SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
    }

    public static func revokeAll(_ tx: Transaction, userID: UUID) async throws {
        try await tx.query("UPDATE sessions SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL")
    }
}
