import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var signups: SignupUseCases { SignupUseCases(work: database, hasher: hasher, sipDomainSuffix: configuration.sipDomainSuffix) }

    /// Creates a tenant, its first admin and a first API key (scope `admin`), in one transaction.
    func signup(_ input: Operations.Signup.Input) async throws -> Operations.Signup.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let result = try await signups.signup(SignupRequest(
            tenantName: body.tenantName, slug: body.slug, contactEmail: body.contactEmail, timezone: body.timezone,
            defaultLanguage: body.defaultLanguage, adminName: body.adminName, adminEmail: body.adminEmail,
            adminPassword: body.adminPassword))
        logger.info("tenant signed up", metadata: ["tenant": "\(result.tenant.id)", "slug": "\(result.tenant.slug)"])
        return .created(.init(headers: .init(location: ResourceLocation.tenant), body: .json(.init(
            tenant: .init(result.tenant), adminUser: .init(result.admin),
            apiKey: .init(key: .init(result.apiKey.key), secret: result.apiKey.secret)))))
    }
}
