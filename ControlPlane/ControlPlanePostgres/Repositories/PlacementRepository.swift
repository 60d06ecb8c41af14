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
    public static func placeUnhomed(_ tx: Transaction) async throws -> Int {
        var moved = 0
        for try await _ in try await tx.query("""
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
            """).decode(UUID.self) {
            moved += 1
        }
        if moved > 0 { tx.logger.notice("tenants placed on media nodes", metadata: ["count": "\(moved)"]) }
        return moved
    }

    public static func homeNode(_ tx: Transaction, tenantID: UUID) async throws -> UUID? {
        for try await node in try await tx.query("SELECT node_id FROM tenant_placements WHERE tenant_id = \(tenantID)").decode(UUID.self) {
            return node
        }
        return nil
    }

    /// The version of `nodeID`'s snapshot: its placement epoch plus the configuration versions of the
    /// tenants homed on it (migration 0011 explains why it only grows). Per-tenant versions mean tenants'
    /// configuration writes never wait on each other; the sum changes whenever any homed tenant's
    /// configuration or the node's placements change.
    public static func configVersion(_ tx: Transaction, nodeID: UUID) async throws -> Int64 {
        for try await version in try await tx.query("""
            SELECT \(unescaped: nodeVersionExpression) FROM nodes WHERE id = \(nodeID)
            """).decode(Int64.self) {
            return version
        }
        return 0
    }

    /// The snapshot version of the row of `nodes` in scope (an SQL expression; also the heartbeat's `configVersion`).
    static let nodeVersionExpression = """
        (nodes.placement_epoch + coalesce((SELECT sum(t.config_version) FROM tenant_placements p JOIN tenants t ON t.id = p.tenant_id
                                           WHERE p.node_id = nodes.id), 0))::int8
        """

    /// Tenants whose CDRs and events `nodeID` may upload: those homed on it, and those that left it
    /// after `formerHomeSince` (late CDRs of calls that ended around a move).
    public static func writableTenants(_ tx: Transaction, nodeID: UUID, formerHomeSince: Date) async throws -> Set<UUID> {
        var tenants: Set<UUID> = []
        for try await tenant in try await tx.query("""
            SELECT tenant_id FROM tenant_placements WHERE node_id = \(nodeID)
            UNION SELECT tenant_id FROM tenant_placement_history WHERE node_id = \(nodeID) AND left_at > \(formerHomeSince)
            """).decode(UUID.self) {
            tenants.insert(tenant)
        }
        return tenants
    }

    /// Tenants homed on `nodeID`.
    public static func tenants(_ tx: Transaction, nodeID: UUID) async throws -> [TenantRecord] {
        try await TenantRepository.decode(tx.query("""
            SELECT \(unescaped: TenantRepository.columns), \(unescaped: Paging.cursorColumn) FROM tenants
            WHERE id IN (SELECT tenant_id FROM tenant_placements WHERE node_id = \(nodeID)) ORDER BY slug
            """)).map(\.item)
    }
}

extension PlacementRepository {
    public enum MoveOutcome: Sendable, Equatable {
        case moved(PlacementRecord)
        case noSuchTenant
        case noSuchNode
        /// The node cannot take tenants now (why, for the person who asked).
        case nodeUnavailable(String)
    }

    public static func placement(_ tx: Transaction, tenantID: UUID) async throws -> PlacementRecord? {
        for try await (tenant, node, name, sip, placed) in try await tx.query("""
            SELECT p.tenant_id, p.node_id, n.name, n.sip_address, p.placed_at
            FROM tenant_placements p JOIN nodes n ON n.id = p.node_id WHERE p.tenant_id = \(tenantID)
            """).decode((UUID, UUID, String, String?, Date).self) {
            return PlacementRecord(tenantID: tenant, nodeID: node, nodeName: name, sipAddress: sip, placedAt: placed)
        }
        return nil
    }

    /// Homes `tenantID` on `nodeID` (staff). The node must be active, up and not removed.
    public static func move(_ tx: Transaction, tenantID: UUID, nodeID: UUID) async throws -> MoveOutcome {
        var tenantExists = false
        for try await _ in try await tx.query("SELECT 1 FROM tenants WHERE id = \(tenantID)").decode(Int.self) {
            tenantExists = true
        }
        guard tenantExists else { return .noSuchTenant }
        var node: (state: String, down: Bool, removed: Bool)?
        for try await row in try await tx.query("""
            SELECT admin_state, down, removed_at IS NOT NULL FROM nodes WHERE id = \(nodeID)
            """).decode((String, Bool, Bool).self) {
            node = row
        }
        guard let node else { return .noSuchNode }
        if node.removed { return .nodeUnavailable("the node was removed") }
        if node.down { return .nodeUnavailable("the node is down (no heartbeat)") }
        if node.state != "active" { return .nodeUnavailable("the node is \(node.state)") }
        try await tx.query("""
            INSERT INTO tenant_placements (tenant_id, node_id, placed_at) VALUES (\(tenantID), \(nodeID), now())
            ON CONFLICT (tenant_id) DO UPDATE SET node_id = EXCLUDED.node_id, placed_at = EXCLUDED.placed_at
            WHERE tenant_placements.node_id <> EXCLUDED.node_id
            """)
        guard let placement = try await placement(tx, tenantID: tenantID) else { return .noSuchTenant }
        return .moved(placement)
    }

    /// The tenant and home node of an allocated number of an active tenant (`+` optional).
    public static func route(_ tx: Transaction, number: String) async throws -> NumberRouteRecord? {
        let e164 = "+" + number.filter(\.isNumber)
        for try await (e, tenant, node, sip) in try await tx.query("""
            SELECT pn.e164, pn.tenant_id, p.node_id, n.sip_address
            FROM phone_numbers pn
            JOIN tenants t ON t.id = pn.tenant_id AND t.status = 'active'
            JOIN tenant_placements p ON p.tenant_id = pn.tenant_id
            JOIN nodes n ON n.id = p.node_id
            WHERE pn.e164 = \(e164)
            """).decode((String, UUID, UUID, String?).self) {
            return NumberRouteRecord(e164: e, tenantID: tenant, nodeID: node, sipAddress: sip)
        }
        return nil
    }
}
