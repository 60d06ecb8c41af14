import Foundation

/// A tenant's phone numbers, as the number use cases need them (inside the caller's transaction).
/// Numbers are allocated to tenants by platform staff; a tenant routes the ones it holds.
public protocol NumberStore: Sendable {
    func list(page: PageRequest) async throws -> Page<PhoneNumberRecord>
    func get(id: UUID) async throws -> PhoneNumberRecord?
    /// nil when the tenant holds no such number. Throws `.invalid("queueId")` for a queue the tenant does not have.
    func setRoute(id: UUID, route: NumberRoute) async throws -> PhoneNumberRecord?
}

/// A route as requested: the target may be missing (a field problem, checked here).
public enum NumberRouteRequest: Sendable, Equatable {
    case none
    case queue(UUID?)
    case ivr(alias: String?)
}

/// The phone numbers a tenant holds and where their calls go.
public struct NumberUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<PhoneNumberRecord> {
        try await work.inTenant(tenantID) { try await $0.numbers.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> PhoneNumberRecord {
        guard let number = try await work.inTenant(tenantID, { try await $0.numbers.get(id: id) }) else {
            throw ControlPlaneError.notFound("phone number")
        }
        return number
    }

    /// Routes calls to the number to nothing, one of the tenant's queues, or a published IVR alias.
    public func setRoute(tenantID: UUID, id: UUID, route request: NumberRouteRequest) async throws -> PhoneNumberRecord {
        let route: NumberRoute
        switch request {
        case .none: route = .none
        case .queue(let queue):
            guard let queue else { throw ControlPlaneError.invalid("queueId", "is required when type is 'queue'") }
            route = .queue(queue)
        case .ivr(let alias):
            guard let alias else { throw ControlPlaneError.invalid("ivrAlias", "is required when type is 'ivr'") }
            try InputValidation.check([InputValidation.skillName(alias, field: "ivrAlias")])
            route = .ivr(alias: alias)
        }
        guard let number = try await work.inTenant(tenantID, { try await $0.numbers.setRoute(id: id, route: route) }) else {
            throw ControlPlaneError.notFound("phone number")
        }
        return number
    }
}
