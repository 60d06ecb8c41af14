import CallCenterModel
import Foundation

/// What sign-up writes (platform scope: the tenant does not exist yet), in the caller's transaction.
public protocol SignupStore: Sendable {
    /// Throws `.conflict` when the slug is taken.
    func insertTenant(_ tenant: TenantRecord) async throws
    func insertUser(_ user: UserRecord, passwordHash: String) async throws
    func insertAPIKey(_ key: APIKeyRecord, secretHash: [UInt8], createdBy: UUID?) async throws
}

/// A sign-up request, as sent.
public struct SignupRequest: Sendable {
    public var tenantName: String
    public var slug: String
    public var contactEmail: String
    public var timezone: String?
    public var defaultLanguage: String?
    public var adminName: String?
    public var adminEmail: String
    public var adminPassword: String

    public init(tenantName: String, slug: String, contactEmail: String, timezone: String?, defaultLanguage: String?,
                adminName: String?, adminEmail: String, adminPassword: String) {
        self.tenantName = tenantName; self.slug = slug; self.contactEmail = contactEmail; self.timezone = timezone
        self.defaultLanguage = defaultLanguage; self.adminName = adminName; self.adminEmail = adminEmail
        self.adminPassword = adminPassword
    }
}

/// What sign-up made: the tenant, its first admin and its first API key (with the one-time secret).
public struct SignupResult: Sendable {
    public var tenant: TenantRecord
    public var admin: UserRecord
    public var apiKey: CreatedAPIKey
}

/// Self-service sign-up: a tenant, its first admin and a first API key (scope `admin`), in one transaction.
public struct SignupUseCases: Sendable {
    let work: any UnitOfWork
    let hasher: any PasswordHashing
    /// Tenants get the SIP domain `<slug>.<sipDomainSuffix>`.
    let sipDomainSuffix: String

    public init(work: any UnitOfWork, hasher: any PasswordHashing, sipDomainSuffix: String) {
        self.work = work
        self.hasher = hasher
        self.sipDomainSuffix = sipDomainSuffix
    }

    public func signup(_ request: SignupRequest, now: Date = Date()) async throws -> SignupResult {
        let timezone = request.timezone ?? "UTC"
        let language = request.defaultLanguage ?? "en-US"
        try InputValidation.check([
            InputValidation.text(request.tenantName, field: "tenantName", max: 200),
            InputValidation.slug(request.slug),
            InputValidation.email(request.contactEmail, field: "contactEmail"),
            InputValidation.timezone(timezone),
            InputValidation.languageTag(language),
            request.adminName.flatMap { InputValidation.text($0, field: "adminName", max: 200, allowEmpty: true) },
            InputValidation.email(request.adminEmail, field: "adminEmail"),
            InputValidation.password(request.adminPassword, field: "adminPassword"),
        ])
        let tenant = TenantRecord(id: UUID(), slug: request.slug, name: request.tenantName, contactEmail: request.contactEmail,
                                  timezone: timezone, defaultLanguage: language, status: .active,
                                  sipDomain: "\(request.slug).\(sipDomainSuffix)", allowMD5Digest: true, createdAt: now)
        let admin = UserRecord(id: UUID(), tenantID: tenant.id, email: request.adminEmail, name: request.adminName ?? "",
                               role: .tenantAdmin, createdAt: now)
        let passwordHash = try await hasher.hash(request.adminPassword)
        let (key, token) = APIKeyUseCases.makeKey(tenantID: tenant.id, name: "signup", scopes: [.admin], now: now)
        try await work.inPlatform { stores in
            try await stores.signups.insertTenant(tenant)
            try await stores.signups.insertUser(admin, passwordHash: passwordHash)
            try await stores.signups.insertAPIKey(key, secretHash: token.hash, createdBy: admin.id)
        }
        return SignupResult(tenant: tenant, admin: admin, apiKey: CreatedAPIKey(key: key, secret: token.text))
    }
}
