import CallCenterModel
import Foundation

/// A new API key and its secret, shown once.
public struct CreatedAPIKey: Sendable, Equatable {
    public var key: APIKeyRecord
    public var secret: String

    public init(key: APIKeyRecord, secret: String) {
        self.key = key
        self.secret = secret
    }
}

/// A tenant's API keys, as the key use cases need them (inside the caller's transaction).
public protocol APIKeyStore: Sendable {
    func list(page: PageRequest) async throws -> Page<APIKeyRecord>
    func get(id: UUID) async throws -> APIKeyRecord?
    /// Reserves the tenant's `maxApiKeys` quota first.
    func insert(_ key: APIKeyRecord, secretHash: [UInt8], createdBy: UUID?) async throws
    /// false when there is no such key.
    func revoke(id: UUID) async throws -> Bool
}

/// A tenant's API keys. A credential can neither mint nor revoke a key more powerful than itself.
public struct APIKeyUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<APIKeyRecord> {
        try await work.inTenant(tenantID) { try await $0.apiKeys.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> APIKeyRecord {
        guard let key = try await work.inTenant(tenantID, { try await $0.apiKeys.get(id: id) }) else {
            throw ControlPlaneError.notFound("API key")
        }
        return key
    }

    public func create(by principal: Principal, tenantID: UUID, name: String, scopes: [Scope],
                       now: Date = Date()) async throws -> CreatedAPIKey {
        let scopes = Array(Set(scopes)).sorted { $0.rawValue < $1.rawValue }
        try InputValidation.check([
            InputValidation.text(name, field: "name", max: 100),
            scopes.isEmpty ? .init(field: "scopes", message: "must name at least one scope") : nil,
        ])
        // A credential cannot mint a key more powerful than itself.
        let granted = Principal(kind: .apiKey(id: UUID(), scopes: scopes), tenantID: tenantID).permissions
        if let missing = principal.lacking(granted) {
            throw ControlPlaneError(.forbidden, "You cannot create a key with the '\(missing.rawValue)' permission, which your own credential lacks.")
        }
        let (key, token) = Self.makeKey(tenantID: tenantID, name: name, scopes: scopes, now: now)
        let createdBy: UUID? = if case .user(let id, _, _) = principal.kind { id } else { nil }
        try await work.inTenant(tenantID) { try await $0.apiKeys.insert(key, secretHash: token.hash, createdBy: createdBy) }
        return CreatedAPIKey(key: key, secret: token.text)
    }

    public func revoke(by principal: Principal, tenantID: UUID, id: UUID) async throws {
        let found = try await work.inTenant(tenantID) { stores in
            // Like granting: a credential cannot revoke a key more powerful than itself (a keys_manage
            // key could otherwise cut the tenant off from its admin key).
            guard let key = try await stores.apiKeys.get(id: id) else { return false }
            let held = Principal(kind: .apiKey(id: key.id, scopes: key.scopes), tenantID: tenantID).permissions
            if let missing = principal.lacking(held) {
                throw ControlPlaneError(.forbidden, "You cannot revoke a key with the '\(missing.rawValue)' permission, which your own credential lacks.")
            }
            return try await stores.apiKeys.revoke(id: id)
        }
        guard found else { throw ControlPlaneError.notFound("API key") }
    }

    /// A new key record and its token (`BearerToken.generate(.apiKey)` always has a prefix).
    static func makeKey(tenantID: UUID, name: String, scopes: [Scope], now: Date) -> (APIKeyRecord, BearerToken) {
        let token = BearerToken.generate(.apiKey)
        let key = APIKeyRecord(id: UUID(), tenantID: tenantID, name: name, prefix: token.prefix ?? "", scopes: scopes,
                               createdAt: now, lastUsedAt: nil, revokedAt: nil)
        return (key, token)
    }
}
