import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    /// Creates a tenant, its first admin and a first API key (scope `admin`), in one transaction.
    func signup(_ input: Operations.Signup.Input) async throws -> Operations.Signup.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let timezone = body.timezone ?? "UTC"
        let language = body.defaultLanguage ?? "en-US"
        try InputValidation.check([
            InputValidation.text(body.tenantName, field: "tenantName", max: 200),
            InputValidation.slug(body.slug),
            InputValidation.email(body.contactEmail, field: "contactEmail"),
            InputValidation.timezone(timezone),
            InputValidation.languageTag(language),
            body.adminName.flatMap { InputValidation.text($0, field: "adminName", max: 200, allowEmpty: true) },
            InputValidation.email(body.adminEmail, field: "adminEmail"),
            InputValidation.password(body.adminPassword, field: "adminPassword"),
        ])
        let now = Date()
        let tenant = TenantRecord(id: UUID(), slug: body.slug, name: body.tenantName, contactEmail: body.contactEmail,
                                  timezone: timezone, defaultLanguage: language, status: .active,
                                  sipDomain: "\(body.slug).\(configuration.sipDomainSuffix)", allowMD5Digest: true,
                                  createdAt: now)
        let admin = UserRecord(id: UUID(), tenantID: tenant.id, email: body.adminEmail, name: body.adminName ?? "",
                               role: .tenantAdmin, createdAt: now)
        let passwordHash = try await hasher.hash(body.adminPassword)
        let token = BearerToken.generate(.apiKey)
        let key = APIKeyRecord(id: UUID(), tenantID: tenant.id, name: "signup", prefix: token.prefix!, scopes: [.admin],
                               createdAt: now, lastUsedAt: nil, revokedAt: nil)
        let logger = self.logger
        try await database.platform { tx in
            try await TenantRepository.insert(tx, tenant)
            try await UserRepository.insert(tx, admin, passwordHash: passwordHash)
            try await APIKeyRepository.insert(tx, key, secretHash: token.hash, createdBy: admin.id)
        }
        logger.info("tenant signed up", metadata: ["tenant": "\(tenant.id)", "slug": "\(tenant.slug)"])
        return .created(.init(headers: .init(location: ResourceLocation.tenant), body: .json(.init(
            tenant: .init(tenant), adminUser: .init(admin),
            apiKey: .init(key: .init(key), secret: token.text)))))
    }
}
