import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var apiKeys: APIKeyUseCases { APIKeyUseCases(work: database) }

    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .keysManage)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await apiKeys.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.ApiKey.init), nextCursor: result.nextCursor))))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .keysManage)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let created = try await apiKeys.create(by: principal, tenantID: tenantID, name: body.name,
                                               scopes: body.scopes.compactMap { Scope(rawValue: $0.rawValue) })
        return .created(.init(headers: .init(location: ResourceLocation.apiKey(created.key.id)),
                              body: .json(.init(key: .init(created.key), secret: created.secret))))
    }

    func getApiKey(_ input: Operations.GetApiKey.Input) async throws -> Operations.GetApiKey.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .keysManage)
        let key = try await apiKeys.get(tenantID: tenantID, id: try uuid(input.path.keyId, field: "keyId"))
        return .ok(.init(body: .json(.init(key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .keysManage)
        try await apiKeys.revoke(by: principal, tenantID: tenantID, id: try uuid(input.path.keyId, field: "keyId"))
        return .noContent(.init())
    }
}
