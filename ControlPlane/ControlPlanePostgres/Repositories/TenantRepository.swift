import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Tenants. Creation and listing need platform scope; a tenant sees only its own row.
public enum TenantRepository {
    static let columns = "id, slug, name, contact_email, timezone, default_language, status, sip_domain, allow_md5_digest, created_at, max_concurrent_calls, max_registrations, \(quotaColumns)"
    /// The quotas in `TenantQuota.allCases` order, as one int8[] column.
    static let quotaColumns = "ARRAY[max_agents, max_numbers, max_prompts, max_prompt_bytes, max_api_keys, max_users, max_queues, max_ivr_flows]::int8[]"

    static func column(_ quota: TenantQuota) -> String {
        switch quota {
        case .agents: "max_agents"
        case .numbers: "max_numbers"
        case .prompts: "max_prompts"
        case .promptBytes: "max_prompt_bytes"
        case .apiKeys: "max_api_keys"
        case .users: "max_users"
        case .queues: "max_queues"
        case .ivrFlows: "max_ivr_flows"
        }
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: TenantRecord, micros: Int64, id: UUID)] {
        var result: [(item: TenantRecord, micros: Int64, id: UUID)] = []
        for try await (id, slug, name, email, tz, lang, status, domain, md5, created, maxCalls, maxRegistrations, quotaValues, micros) in rows.decode(
            (UUID, String, String, String, String, String, String, String, Bool, Date, Int32, Int32, [Int64], Int64).self) {
            let quotas = Dictionary(uniqueKeysWithValues: zip(TenantQuota.allCases, quotaValues.map { Int($0) }))
            let record = TenantRecord(id: id, slug: slug, name: name, contactEmail: email, timezone: tz, defaultLanguage: lang,
                                      status: TenantStatus(rawValue: status) ?? .closed, sipDomain: domain,
                                      allowMD5Digest: md5,
                                      limits: TenantLimits(maxConcurrentCalls: Int(maxCalls), maxRegistrations: Int(maxRegistrations),
                                                           quotas: quotas),
                                      createdAt: created)
            result.append((record, micros, id))
        }
        return result
    }

    public static func insert(_ tx: Transaction, _ t: TenantRecord) async throws {
        try await mapConflicts({ name in
            name == "tenants_slug_key" ? "A tenant with slug '\(t.slug)' already exists; choose another slug."
                                       : "A tenant with that SIP domain already exists."
        }) {
            try await tx.query("""
                INSERT INTO tenants (id, slug, name, contact_email, timezone, default_language, status, sip_domain, allow_md5_digest, created_at)
                VALUES (\(t.id), \(t.slug), \(t.name), \(t.contactEmail), \(t.timezone), \(t.defaultLanguage),
                        \(t.status.rawValue), \(t.sipDomain), \(t.allowMD5Digest), \(t.createdAt))
                """)
        }
    }

    public static func get(_ tx: Transaction, id: UUID) async throws -> TenantRecord? {
        try await decode(tx.query("SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM tenants WHERE id = \(id)")).first?.item
    }

    public static func list(_ tx: Transaction, page: PageRequest) async throws -> Page<TenantRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM tenants
            WHERE (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public struct Update: Sendable {
        public var name: String?
        public var contactEmail: String?
        public var timezone: String?
        public var defaultLanguage: String?
        public var allowMD5Digest: Bool?
        public init(name: String? = nil, contactEmail: String? = nil, timezone: String? = nil,
                    defaultLanguage: String? = nil, allowMD5Digest: Bool? = nil) {
            self.name = name; self.contactEmail = contactEmail; self.timezone = timezone
            self.defaultLanguage = defaultLanguage; self.allowMD5Digest = allowMD5Digest
        }
    }

    public static func update(_ tx: Transaction, id: UUID, _ u: Update) async throws -> TenantRecord? {
        try await decode(tx.query("""
            UPDATE tenants SET name = coalesce(\(u.name), name), contact_email = coalesce(\(u.contactEmail), contact_email),
                   timezone = coalesce(\(u.timezone), timezone), default_language = coalesce(\(u.defaultLanguage), default_language),
                   allow_md5_digest = coalesce(\(u.allowMD5Digest), allow_md5_digest), updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }

    /// Sets the node limits and the quotas in `limits.quotas` (quotas absent there stay as they are).
    public static func setLimits(_ tx: Transaction, id: UUID, _ limits: TenantLimits) async throws -> TenantRecord? {
        func q(_ quota: TenantQuota) -> Int64? { limits.quotas[quota].map(Int64.init) }
        return try await decode(tx.query("""
            UPDATE tenants SET max_concurrent_calls = \(Int32(clamping: limits.maxConcurrentCalls)),
                   max_registrations = \(Int32(clamping: limits.maxRegistrations)),
                   max_agents = coalesce(\(q(.agents))::int8, max_agents), max_numbers = coalesce(\(q(.numbers))::int8, max_numbers),
                   max_prompts = coalesce(\(q(.prompts))::int8, max_prompts),
                   max_prompt_bytes = coalesce(\(q(.promptBytes))::int8, max_prompt_bytes),
                   max_api_keys = coalesce(\(q(.apiKeys))::int8, max_api_keys), max_users = coalesce(\(q(.users))::int8, max_users),
                   max_queues = coalesce(\(q(.queues))::int8, max_queues), max_ivr_flows = coalesce(\(q(.ivrFlows))::int8, max_ivr_flows),
                   updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }

    public static func setStatus(_ tx: Transaction, id: UUID, status: TenantStatus) async throws -> TenantRecord? {
        try await decode(tx.query("""
            UPDATE tenants SET status = \(status.rawValue), updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }
}
