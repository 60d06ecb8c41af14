import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Tenant quotas (issue 13), checked by the create use cases in their own transaction.
///
/// Atomicity: `reserve` first locks the tenant's row (`FOR NO KEY UPDATE`: it does not block the
/// foreign-key checks of the tenant's other writes, which take `KEY SHARE`), then counts. A second
/// create for the same tenant waits at that lock until the first commits or rolls back, then counts
/// again and sees the first one's row, so two creates at the limit cannot both pass. Only that
/// tenant's creates queue; other tenants lock other rows.
public enum QuotaRepository {
    /// Refuses with 409 `quota-exceeded` unless the tenant has room for one more of `quota`.
    /// `byStaff`: the caller is platform staff acting on the tenant (the detail says so).
    public static func reserve(_ tx: Transaction, tenantID: UUID, _ quota: TenantQuota, byStaff: Bool = false) async throws {
        let limits = try await lock(tx, tenantID: tenantID)
        let used = try await usage(tx, tenantID: tenantID, quota)
        let limit = limits.limit(quota)
        if used + 1 > limit { throw exceeded(quota, used: used, limit: limit, tenantID: tenantID, byStaff: byStaff) }
    }

    /// For storing prompt `name` with `sizeBytes` of audio: room for one more prompt (unless `name`
    /// replaces a stored one) and for the bytes (the replaced prompt's bytes are freed).
    public static func reservePrompt(_ tx: Transaction, tenantID: UUID, name: String, sizeBytes: Int) async throws {
        let limits = try await lock(tx, tenantID: tenantID)
        var count = 0, replaced = false, otherBytes = 0
        for try await (n, same, bytes) in try await tx.query("""
            SELECT count(*)::int8, coalesce(bool_or(name = \(name)), false),
                   coalesce(sum(octet_length(content)) FILTER (WHERE name <> \(name)), 0)::int8
            FROM prompts WHERE tenant_id = \(tenantID)
            """).decode((Int64, Bool, Int64).self) {
            count = Int(n); replaced = same; otherBytes = Int(bytes)
        }
        if !replaced && count + 1 > limits.limit(.prompts) {
            throw exceeded(.prompts, used: count, limit: limits.limit(.prompts), tenantID: tenantID, byStaff: false)
        }
        let maxBytes = limits.limit(.promptBytes)
        if otherBytes + sizeBytes > maxBytes {
            throw ControlPlaneError(.quotaExceeded, """
                This prompt (\(sizeBytes) bytes) does not fit: your tenant's other prompts use \(otherBytes) of \(maxBytes) \
                \(TenantQuota.promptBytes.noun) (quota \(TenantQuota.promptBytes.field)); \(TenantQuota.promptBytes.remedy), \
                or ask platform staff to raise \(TenantQuota.promptBytes.field).
                """)
        }
    }

    /// How much of `quota` the tenant uses now.
    public static func usage(_ tx: Transaction, tenantID: UUID, _ quota: TenantQuota) async throws -> Int {
        let rows: PostgresRowSequence
        switch quota {
        case .agents: rows = try await tx.query("SELECT count(*)::int8 FROM agents WHERE tenant_id = \(tenantID)")
        case .numbers: rows = try await tx.query("SELECT count(*)::int8 FROM phone_numbers WHERE tenant_id = \(tenantID)")
        case .prompts: rows = try await tx.query("SELECT count(*)::int8 FROM prompts WHERE tenant_id = \(tenantID)")
        case .promptBytes:
            rows = try await tx.query("SELECT coalesce(sum(octet_length(content)), 0)::int8 FROM prompts WHERE tenant_id = \(tenantID)")
        case .apiKeys:
            rows = try await tx.query("SELECT count(*)::int8 FROM api_keys WHERE tenant_id = \(tenantID) AND revoked_at IS NULL")
        case .users: rows = try await tx.query("SELECT count(*)::int8 FROM users WHERE tenant_id = \(tenantID)")
        case .queues: rows = try await tx.query("SELECT count(*)::int8 FROM queues WHERE tenant_id = \(tenantID)")
        case .ivrFlows:
            rows = try await tx.query("SELECT count(DISTINCT flow_name)::int8 FROM ivr_flow_versions WHERE tenant_id = \(tenantID)")
        }
        for try await n in rows.decode(Int64.self) { return Int(n) }
        return 0
    }

    /// Locks the tenant's row for the rest of the transaction and returns its limits.
    static func lock(_ tx: Transaction, tenantID: UUID) async throws -> TenantLimits {
        for try await values in try await tx.query("""
            SELECT \(unescaped: TenantRepository.quotaColumns) FROM tenants WHERE id = \(tenantID) FOR NO KEY UPDATE
            """).decode([Int64].self) {
            return TenantLimits(maxConcurrentCalls: 0, maxRegistrations: 0,
                                quotas: Dictionary(uniqueKeysWithValues: zip(TenantQuota.allCases, values.map { Int($0) })))
        }
        throw ControlPlaneError(.notFound, "No tenant with that id exists.")
    }

    static func exceeded(_ quota: TenantQuota, used: Int, limit: Int, tenantID: UUID, byStaff: Bool) -> ControlPlaneError {
        if byStaff {
            return ControlPlaneError(.quotaExceeded, """
                Tenant \(tenantID.uuidString.lowercased()) has \(used) of \(limit) \(quota.noun) (quota \(quota.field)); \
                release some first, or raise \(quota.field) with PUT /v1/platform/tenants/\(tenantID.uuidString.lowercased())/limits.
                """)
        }
        return ControlPlaneError(.quotaExceeded, """
            Your tenant has \(used) of \(limit) \(quota.noun) (quota \(quota.field)); \(quota.remedy), \
            or ask platform staff to raise \(quota.field).
            """)
    }
}
