import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum IVRRepository {
    /// Stores the next version of `flowName` (1, 2, …); concurrent creators are serialised by a
    /// per-flow advisory lock so versions never collide.
    public static func createVersion(_ tx: Transaction, tenantID: UUID, flowName: String, definition: String) async throws -> IVRFlowVersionRecord {
        try await tx.query("SELECT pg_advisory_xact_lock(hashtext(\(tenantID.uuidString + "/" + flowName))::int8)")
        var next = 1
        for try await max in try await tx.query("""
            SELECT coalesce(max(version), 0)::int8 FROM ivr_flow_versions WHERE tenant_id = \(tenantID) AND flow_name = \(flowName)
            """).decode(Int64.self) { next = Int(max) + 1 }
        // A new flow counts against the tenant's quota; a new version of a flow does not.
        if next == 1 { try await QuotaRepository.reserve(tx, tenantID: tenantID, .ivrFlows) }
        for try await (version, created) in try await tx.query("""
            INSERT INTO ivr_flow_versions (id, tenant_id, flow_name, version, definition)
            VALUES (\(UUID()), \(tenantID), \(flowName), \(Int32(next)), \(definition)::jsonb)
            RETURNING version::int8, created_at
            """).decode((Int64, Date).self) {
            return IVRFlowVersionRecord(flowName: flowName, version: Int(version), definition: definition, createdAt: created)
        }
        throw ControlPlaneError(.unavailable, "The flow version could not be stored.")
    }

    public static func get(_ tx: Transaction, tenantID: UUID, flowName: String, version: Int) async throws -> IVRFlowVersionRecord? {
        for try await (definition, created) in try await tx.query("""
            SELECT definition::text, created_at FROM ivr_flow_versions
            WHERE tenant_id = \(tenantID) AND flow_name = \(flowName) AND version = \(Int32(clamping: version))
            """).decode((String, Date).self) {
            return IVRFlowVersionRecord(flowName: flowName, version: version, definition: definition, createdAt: created)
        }
        return nil
    }

    /// Versions in ascending order; the cursor is the last version number seen.
    public static func list(_ tx: Transaction, tenantID: UUID, flowName: String, limit: Int, afterVersion: Int) async throws -> [IVRFlowVersionRecord] {
        var records: [IVRFlowVersionRecord] = []
        for try await (version, definition, created) in try await tx.query("""
            SELECT version::int8, definition::text, created_at FROM ivr_flow_versions
            WHERE tenant_id = \(tenantID) AND flow_name = \(flowName) AND version > \(Int32(clamping: afterVersion))
            ORDER BY version LIMIT \(limit)
            """).decode((Int64, String, Date).self) {
            records.append(IVRFlowVersionRecord(flowName: flowName, version: Int(version), definition: definition, createdAt: created))
        }
        return records
    }

    /// Points `alias` at a version and records the publication.
    public static func publish(_ tx: Transaction, tenantID: UUID, alias: String, flowName: String, version: Int) async throws -> IVRAliasRecord {
        guard try await get(tx, tenantID: tenantID, flowName: flowName, version: version) != nil else {
            throw ControlPlaneError.invalid("version", "flow '\(flowName)' has no version \(version)")
        }
        try await tx.query("""
            INSERT INTO ivr_aliases (tenant_id, alias, flow_name, version, updated_at)
            VALUES (\(tenantID), \(alias), \(flowName), \(Int32(version)), clock_timestamp())
            ON CONFLICT (tenant_id, alias) DO UPDATE SET flow_name = EXCLUDED.flow_name, version = EXCLUDED.version,
                   updated_at = EXCLUDED.updated_at
            """)
        try await tx.query("""
            INSERT INTO ivr_alias_history (tenant_id, alias, flow_name, version) VALUES (\(tenantID), \(alias), \(flowName), \(Int32(version)))
            """)
        return try await getAlias(tx, tenantID: tenantID, alias: alias)!
    }

    /// Drops the newest publication and points the alias at the one before it.
    public static func rollback(_ tx: Transaction, tenantID: UUID, alias: String) async throws -> IVRAliasRecord? {
        guard let current = try await getAlias(tx, tenantID: tenantID, alias: alias) else { return nil }
        guard current.history.count >= 2 else {
            throw ControlPlaneError(.conflict, "Alias '\(alias)' has no earlier publication to roll back to.")
        }
        let previous = current.history[1]
        try await tx.query("""
            DELETE FROM ivr_alias_history WHERE id = (
                SELECT id FROM ivr_alias_history WHERE tenant_id = \(tenantID) AND alias = \(alias) ORDER BY id DESC LIMIT 1)
            """)
        try await tx.query("""
            UPDATE ivr_aliases SET flow_name = \(previous.flowName), version = \(Int32(previous.version)), updated_at = clock_timestamp()
            WHERE tenant_id = \(tenantID) AND alias = \(alias)
            """)
        return try await getAlias(tx, tenantID: tenantID, alias: alias)
    }

    public static func getAlias(_ tx: Transaction, tenantID: UUID, alias: String) async throws -> IVRAliasRecord? {
        var record: IVRAliasRecord?
        for try await (flow, version, updated) in try await tx.query("""
            SELECT flow_name, version::int8, updated_at FROM ivr_aliases WHERE tenant_id = \(tenantID) AND alias = \(alias)
            """).decode((String, Int64, Date).self) {
            record = IVRAliasRecord(alias: alias, flowName: flow, version: Int(version), updatedAt: updated, history: [])
        }
        guard var record else { return nil }
        for try await (flow, version, published) in try await tx.query("""
            SELECT flow_name, version::int8, published_at FROM ivr_alias_history
            WHERE tenant_id = \(tenantID) AND alias = \(alias) ORDER BY id DESC LIMIT 50
            """).decode((String, Int64, Date).self) {
            record.history.append((flow, Int(version), published))
        }
        return record
    }

    public static func listAliases(_ tx: Transaction, tenantID: UUID) async throws -> [IVRAliasRecord] {
        var records: [IVRAliasRecord] = []
        for try await (alias, flow, version, updated) in try await tx.query("""
            SELECT alias, flow_name, version::int8, updated_at FROM ivr_aliases WHERE tenant_id = \(tenantID) ORDER BY alias
            """).decode((String, String, Int64, Date).self) {
            records.append(IVRAliasRecord(alias: alias, flowName: flow, version: Int(version), updatedAt: updated, history: []))
        }
        return records
    }

    /// Queue keys a flow may enqueue to: names and ids of the tenant's queues.
    public static func queueKeys(_ tx: Transaction, tenantID: UUID) async throws -> Set<String> {
        var keys = Set<String>()
        for try await (id, name) in try await tx.query("SELECT id, name FROM queues WHERE tenant_id = \(tenantID)").decode((UUID, String).self) {
            keys.insert(id.uuidString.lowercased())
            keys.insert(name)
        }
        return keys
    }
}
