import CallCenterModel
import Foundation

/// What a tenant may change about itself; nil leaves a field as it is.
public struct TenantUpdate: Sendable, Equatable {
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

/// The calling tenant's own settings, as the tenant use cases need them (inside the caller's transaction).
public protocol TenantSettingsStore: Sendable {
    func get() async throws -> TenantRecord?
    /// nil when the tenant does not exist.
    func update(_ update: TenantUpdate) async throws -> TenantRecord?
}

/// A tenant reading and changing its own settings (name, contact, timezone, language, digest).
public struct TenantUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func get(tenantID: UUID) async throws -> TenantRecord {
        guard let tenant = try await work.inTenant(tenantID, { try await $0.tenant.get() }) else {
            throw ControlPlaneError.notFound("tenant")
        }
        return tenant
    }

    public func update(tenantID: UUID, _ update: TenantUpdate) async throws -> TenantRecord {
        try InputValidation.check([
            update.name.flatMap { InputValidation.text($0, field: "name", max: 200) },
            update.contactEmail.flatMap { InputValidation.email($0, field: "contactEmail") },
            update.timezone.flatMap { InputValidation.timezone($0) },
            update.defaultLanguage.flatMap { InputValidation.languageTag($0) },
        ])
        guard let tenant = try await work.inTenant(tenantID, { try await $0.tenant.update(update) }) else {
            throw ControlPlaneError.notFound("tenant")
        }
        return tenant
    }
}
