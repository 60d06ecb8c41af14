import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Media nodes (platform scope only).
public enum NodeRepository {
    /// `config_version` is the node's snapshot version (PlacementRepository.configVersion), so a heartbeat
    /// tells the node whether to fetch.
    static let columns = "id, name, admin_state, down, sip_address, version, load::text, \(PlacementRepository.nodeVersionExpression), last_heartbeat_at, registered_at"
    static let cursor = "(extract(epoch from registered_at) * 1000000)::int8"

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: NodeRecord, micros: Int64, id: UUID)] {
        var result: [(item: NodeRecord, micros: Int64, id: UUID)] = []
        for try await (id, name, admin, down, sip, version, load, configVersion, heartbeat, registered, micros) in rows.decode(
            (UUID, String, String, Bool, String?, String?, String?, Int64, Date?, Date, Int64).self) {
            let decodedLoad = try load.map { try JSONDecoder().decode(NodeLoad.self, from: Data($0.utf8)) }
            result.append((NodeRecord(id: id, name: name, adminState: NodeAdminState(rawValue: admin) ?? .cordoned, down: down,
                                      sipAddress: sip, version: version, load: decodedLoad, configVersion: configVersion,
                                      lastHeartbeatAt: heartbeat, registeredAt: registered), micros, id))
        }
        return result
    }

    /// Registers a node, unless a node of that name was removed: a removed node stays removed (its
    /// name is retired), so the bootstrap token cannot bring it back. False when the name is retired.
    public static func register(_ tx: Transaction, id: UUID, name: String, sipAddress: String?, version: String?,
                                credential: BearerToken, bootstrapTokenID: UUID?) async throws -> Bool {
        var registered = false
        for try await _ in try await tx.query("""
            INSERT INTO nodes (id, name, credential_prefix, credential_hash, sip_address, version, last_heartbeat_at, bootstrap_token_id)
            SELECT \(id), \(name), \(credential.prefix ?? ""), \(Data(credential.hash)), \(sipAddress), \(version), now(), \(bootstrapTokenID)
            WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE name = \(name) AND removed_at IS NOT NULL)
            RETURNING id
            """).decode(UUID.self) { registered = true }
        return registered
    }

    /// The node whose credential this is, unless removed.
    public static func resolve(_ tx: Transaction, credential: BearerToken) async throws -> UUID? {
        for try await id in try await tx.query("""
            SELECT id FROM nodes WHERE credential_prefix = \(credential.prefix ?? "") AND credential_hash = \(Data(credential.hash))
              AND removed_at IS NULL
            """).decode(UUID.self) {
            return id
        }
        return nil
    }

    public static func heartbeat(_ tx: Transaction, id: UUID, load: NodeLoad?) async throws -> NodeRecord? {
        let json = try load.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return try await decode(tx.query("""
            UPDATE nodes SET last_heartbeat_at = now(), down = false, load = coalesce(\(json)::jsonb, load)
            WHERE id = \(id) AND removed_at IS NULL
            RETURNING \(unescaped: columns), \(unescaped: cursor)
            """)).first?.item
    }

    public static func get(_ tx: Transaction, id: UUID) async throws -> NodeRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: cursor) FROM nodes WHERE id = \(id) AND removed_at IS NULL
            """)).first?.item
    }

    public static func list(_ tx: Transaction, page: PageRequest) async throws -> Page<NodeRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: cursor) FROM nodes WHERE removed_at IS NULL
              AND (NOT \(after.has) OR (registered_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY registered_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func setAdminState(_ tx: Transaction, id: UUID, state: NodeAdminState) async throws -> NodeRecord? {
        try await decode(tx.query("""
            UPDATE nodes SET admin_state = \(state.rawValue) WHERE id = \(id) AND removed_at IS NULL
            RETURNING \(unescaped: columns), \(unescaped: cursor)
            """)).first?.item
    }

    public static func remove(_ tx: Transaction, id: UUID) async throws -> Bool {
        var found = false
        for try await _ in try await tx.query(
            "UPDATE nodes SET removed_at = now() WHERE id = \(id) AND removed_at IS NULL RETURNING id").decode(UUID.self) {
            found = true
        }
        return found
    }

    /// Marks nodes whose last heartbeat is older than `cutoff` as down; returns their ids.
    public static func markDown(_ tx: Transaction, lastHeartbeatBefore cutoff: Date) async throws -> [UUID] {
        var ids: [UUID] = []
        for try await id in try await tx.query("""
            UPDATE nodes SET down = true
            WHERE removed_at IS NULL AND NOT down AND (last_heartbeat_at IS NULL OR last_heartbeat_at < \(cutoff))
            RETURNING id
            """).decode(UUID.self) {
            ids.append(id)
        }
        return ids
    }
}
