import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum PhoneNumberRepository {
    static let columns = "id, e164, tenant_id, route_type, route_queue_id, route_ivr_alias, allocated_at, created_at"

    static func decode(_ rows: PostgresRowSequence) async throws -> [(item: PhoneNumberRecord, micros: Int64, id: UUID)] {
        var result: [(item: PhoneNumberRecord, micros: Int64, id: UUID)] = []
        for try await (id, e164, tenant, type, queue, alias, allocated, created, micros) in rows.decode(
            (UUID, String, UUID?, String, UUID?, String?, Date?, Date, Int64).self) {
            let route: NumberRoute = switch (type, queue, alias) {
            case ("queue", let queue?, _): .queue(queue)
            case ("ivr", _, let alias?): .ivr(alias: alias)
            default: .none
            }
            result.append((PhoneNumberRecord(id: id, e164: e164, tenantID: tenant, route: route, allocatedAt: allocated,
                                             createdAt: created), micros, id))
        }
        return result
    }

    /// Adds a number to the inventory (platform scope).
    public static func insert(_ tx: Transaction, id: UUID, e164: String) async throws -> PhoneNumberRecord {
        try await mapConflicts({ _ in "\(e164) is already in the inventory." }) {
            try await decode(tx.query("""
                INSERT INTO phone_numbers (id, e164) VALUES (\(id), \(e164))
                RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
                """)).first!.item
        }
    }

    /// Lists numbers; `tenantID` nil lists the whole inventory (platform scope).
    public static func list(_ tx: Transaction, tenantID: UUID?, page: PageRequest) async throws -> Page<PhoneNumberRecord> {
        let after = Paging.after(page.after)
        let rows = try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM phone_numbers
            WHERE (\(tenantID)::uuid IS NULL OR tenant_id = \(tenantID))
              AND (NOT \(after.has) OR (created_at, id) > ('epoch'::timestamptz + \(after.micros) * interval '1 microsecond', \(after.id)))
            ORDER BY created_at, id LIMIT \(page.limit + 1)
            """))
        return Paging.page(rows, limit: page.limit)
    }

    public static func get(_ tx: Transaction, tenantID: UUID?, id: UUID) async throws -> PhoneNumberRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM phone_numbers
            WHERE id = \(id) AND (\(tenantID)::uuid IS NULL OR tenant_id = \(tenantID))
            """)).first?.item
    }

    public static func setRoute(_ tx: Transaction, tenantID: UUID, id: UUID, route: NumberRoute) async throws -> PhoneNumberRecord? {
        let (type, queue, alias): (String, UUID?, String?) = switch route {
        case .none: ("none", nil, nil)
        case .queue(let q): ("queue", q, nil)
        case .ivr(let a): ("ivr", nil, a)
        }
        if let queue {
            var exists = false
            for try await _ in try await tx.query("SELECT id FROM queues WHERE tenant_id = \(tenantID) AND id = \(queue)").decode(UUID.self) { exists = true }
            guard exists else { throw ControlPlaneError.invalid("queueId", "queue \(queue) does not exist in your tenant") }
        }
        return try await decode(tx.query("""
            UPDATE phone_numbers SET route_type = \(type), route_queue_id = \(queue), route_ivr_alias = \(alias)
            WHERE tenant_id = \(tenantID) AND id = \(id)
            RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }

    /// Allocates (tenantID non-nil) or releases (nil) a number (platform scope). Allocation of a number
    /// held by another tenant is refused.
    public static func allocate(_ tx: Transaction, id: UUID, tenantID: UUID?) async throws -> PhoneNumberRecord? {
        guard let current = try await get(tx, tenantID: nil, id: id) else { return nil }
        if let tenantID, let holder = current.tenantID, holder != tenantID {
            throw ControlPlaneError(.conflict, "\(current.e164) is allocated to another tenant; release it first.")
        }
        if let tenantID {
            var exists = false
            for try await _ in try await tx.query("SELECT id FROM tenants WHERE id = \(tenantID)").decode(UUID.self) { exists = true }
            guard exists else { throw ControlPlaneError.invalid("tenantId", "tenant \(tenantID) does not exist") }
            if current.tenantID != tenantID {
                try await QuotaRepository.reserve(tx, tenantID: tenantID, .numbers, byStaff: true)
            }
        }
        return try await decode(tx.query("""
            UPDATE phone_numbers SET tenant_id = \(tenantID),
                   allocated_at = CASE WHEN \(tenantID)::uuid IS NULL THEN NULL ELSE coalesce(allocated_at, now()) END,
                   route_type = CASE WHEN \(tenantID)::uuid IS NULL THEN 'none' ELSE route_type END,
                   route_queue_id = CASE WHEN \(tenantID)::uuid IS NULL THEN NULL ELSE route_queue_id END,
                   route_ivr_alias = CASE WHEN \(tenantID)::uuid IS NULL THEN NULL ELSE route_ivr_alias END
            WHERE id = \(id)
            RETURNING \(unescaped: columns), \(unescaped: Paging.cursorColumn)
            """)).first?.item
    }
}
