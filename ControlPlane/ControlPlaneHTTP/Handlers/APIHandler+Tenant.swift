import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .tenantRead)
        guard let tenant = try await database.tenant(tenantID, { tx in
            try await TenantRepository.get(tx, id: tenantID)
        }) else { throw ControlPlaneError.notFound("tenant") }
        return .ok(.init(body: .json(.init(tenant))))
    }

    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .tenantWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            body.name.flatMap { InputValidation.text($0, field: "name", max: 200) },
            body.contactEmail.flatMap { InputValidation.email($0, field: "contactEmail") },
            body.timezone.flatMap { InputValidation.timezone($0) },
            body.defaultLanguage.flatMap { InputValidation.languageTag($0) },
        ])
        let update = TenantRepository.Update(name: body.name, contactEmail: body.contactEmail, timezone: body.timezone,
                                             defaultLanguage: body.defaultLanguage, allowMD5Digest: body.allowMD5Digest)
        guard let tenant = try await database.tenant(tenantID, { tx in
            try await TenantRepository.update(tx, id: tenantID, update)
        }) else { throw ControlPlaneError.notFound("tenant") }
        return .ok(.init(body: .json(.init(tenant))))
    }
}
