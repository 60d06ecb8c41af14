import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var tenantSettings: TenantUseCases { TenantUseCases(work: database) }

    func getTenant(_ input: Operations.GetTenant.Input) async throws -> Operations.GetTenant.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .tenantRead)
        return .ok(.init(body: .json(.init(try await tenantSettings.get(tenantID: tenantID)))))
    }

    func updateTenant(_ input: Operations.UpdateTenant.Input) async throws -> Operations.UpdateTenant.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .tenantWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let update = TenantUpdate(name: body.name, contactEmail: body.contactEmail, timezone: body.timezone,
                                  defaultLanguage: body.defaultLanguage, allowMD5Digest: body.allowMD5Digest)
        return .ok(.init(body: .json(.init(try await tenantSettings.update(tenantID: tenantID, update)))))
    }
}
