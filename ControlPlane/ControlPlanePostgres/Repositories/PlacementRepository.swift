import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Homes tenants on media nodes (platform scope). A tenant lives on one node at a time; tenants
/// without a home, or homed on a node that is down, removed or draining, are placed on the
/// healthy active node with the fewest tenants.
public enum PlacementRepository {
    /// Places every active tenant that needs a home; returns how many moved.
    @discardableResult
    public static func placeUnhomed(_ c: PostgresConnection, logger: Logger) async throws -> Int {
        var moved = 0
        for try await _ in try await c.query("""
            WITH candidates AS (
                SELECT n.id, (SELECT count(*) FROM tenant_placements p WHERE p.node_id = n.id) AS load
                FROM nodes n WHERE n.removed_at IS NULL AND NOT n.down AND n.admin_state = 'active'
                ORDER BY load, n.registered_at LIMIT 1
            ), homeless AS (
                SELECT t.id FROM tenants t
                LEFT JOIN tenant_placements p ON p.tenant_id = t.id
                LEFT JOIN nodes n ON n.id = p.node_id
                WHERE t.status = 'active'
                  AND (p.tenant_id IS NULL OR n.removed_at IS NOT NULL OR n.down OR n.admin_state = 'draining')
            )
            INSERT INTO tenant_placements (tenant_id, node_id, placed_at)
            SELECT homeless.id, candidates.id, now() FROM homeless CROSS JOIN candidates
            ON CONFLICT (tenant_id) DO UPDATE SET node_id = EXCLUDED.node_id, placed_at = EXCLUDED.placed_at
            RETURNING tenant_id
            """, logger: logger).decode(UUID.self) {
            moved += 1
        }
        if moved > 0 { logger.notice("tenants placed on media nodes", metadata: ["count": "\(moved)"]) }
        return moved
    }

    public static func homeNode(_ c: PostgresConnection, tenantID: UUID, logger: Logger) async throws -> UUID? {
        for try await node in try await c.query("SELECT node_id FROM tenant_placements WHERE tenant_id = \(tenantID)",
                                                logger: logger).decode(UUID.self) {
            return node
        }
        return nil
    }

    public static func configVersion(_ c: PostgresConnection, logger: Logger) async throws -> Int64 {
        for try await version in try await c.query("SELECT version FROM config_epoch WHERE id = 1", logger: logger).decode(Int64.self) {
            return version
        }
        return 0
    }

    /// Tenants homed on `nodeID`.
    public static func tenants(_ c: PostgresConnection, nodeID: UUID, logger: Logger) async throws -> [TenantRecord] {
        try await TenantRepository.decode(c.query("""
            SELECT \(unescaped: TenantRepository.columns.split(separator: ",").map { "t." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                   (extract(epoch from t.created_at) * 1000000)::int8
            FROM tenants t JOIN tenant_placements p ON p.tenant_id = t.id
            WHERE p.node_id = \(nodeID) ORDER BY t.slug
            """, logger: logger)).map(\.item)
    }
}
