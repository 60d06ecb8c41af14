import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listApiKeys(_ input: Operations.ListApiKeys.Input) async throws -> Operations.ListApiKeys.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .keysManage)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await APIKeyRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.ApiKey.init), nextCursor: result.nextCursor))))
    }

    func createApiKey(_ input: Operations.CreateApiKey.Input) async throws -> Operations.CreateApiKey.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .keysManage)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let scopes = Array(Set(body.scopes.compactMap { Scope(rawValue: $0.rawValue) })).sorted { $0.rawValue < $1.rawValue }
        try InputValidation.check([
            InputValidation.text(body.name, field: "name", max: 100),
            scopes.isEmpty ? .init(field: "scopes", message: "must name at least one scope") : nil,
        ])
        // A credential cannot mint a key more powerful than itself.
        let granted = Principal(kind: .apiKey(id: UUID(), scopes: scopes), tenantID: tenantID).permissions
        if let missing = principal.lacking(granted) {
            throw ControlPlaneError(.forbidden, "You cannot create a key with the '\(missing.rawValue)' permission, which your own credential lacks.")
        }
        let token = BearerToken.generate(.apiKey)
        let key = APIKeyRecord(id: UUID(), tenantID: tenantID, name: body.name, prefix: token.prefix!, scopes: scopes,
                               createdAt: Date(), lastUsedAt: nil, revokedAt: nil)
        let createdBy: UUID? = if case .user(let id, _, _) = principal.kind { id } else { nil }
        try await database.tenant(tenantID) { tx in
            try await APIKeyRepository.insert(tx, key, secretHash: token.hash, createdBy: createdBy)
        }
        return .created(.init(headers: .init(location: ResourceLocation.apiKey(key.id)), body: .json(.init(key: .init(key), secret: token.text))))
    }

    func getApiKey(_ input: Operations.GetApiKey.Input) async throws -> Operations.GetApiKey.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .keysManage)
        let id = try uuid(input.path.keyId, field: "keyId")
        guard let key = try await database.tenant(tenantID, { tx in
            try await APIKeyRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("API key") }
        return .ok(.init(body: .json(.init(key))))
    }

    func revokeApiKey(_ input: Operations.RevokeApiKey.Input) async throws -> Operations.RevokeApiKey.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .keysManage)
        let id = try uuid(input.path.keyId, field: "keyId")
        let found = try await database.tenant(tenantID) { tx in
            // Like granting: a credential cannot revoke a key more powerful than itself (a keys_manage
            // key could otherwise cut the tenant off from its admin key).
            guard let key = try await APIKeyRepository.get(tx, tenantID: tenantID, id: id) else { return false }
            let held = Principal(kind: .apiKey(id: key.id, scopes: key.scopes), tenantID: tenantID).permissions
            if let missing = principal.lacking(held) {
                throw ControlPlaneError(.forbidden, "You cannot revoke a key with the '\(missing.rawValue)' permission, which your own credential lacks.")
            }
            return try await APIKeyRepository.revoke(tx, tenantID: tenantID, id: id)
        }
        guard found else { throw ControlPlaneError.notFound("API key") }
        return .noContent(.init())
    }
}
