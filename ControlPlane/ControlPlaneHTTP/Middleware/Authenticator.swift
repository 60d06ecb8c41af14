import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import Logging

/// Resolves an `Authorization: Bearer` header into a `Principal`. Malformed tokens are refused
/// before any database lookup; revoked keys, revoked or expired sessions and removed nodes stop
/// working on their next request (no caching).
struct Authenticator: Sendable {
    let database: Database

    func authenticate(authorization: String?, logger: Logger) async throws -> Principal {
        guard let authorization else { throw ControlPlaneError.unauthenticated }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ControlPlaneError(.unauthorized, "The Authorization header must be 'Bearer <token>'.")
        }
        guard let token = BearerToken.parse(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw ControlPlaneError(.unauthorized, "The bearer token is malformed: expected a session token (ccs_…), an API key (cck_…) or a node credential (ccn_…).")
        }
        switch token.kind {
        case .session:
            guard let session = try await database.platform({ tx in
                try await SessionRepository.resolve(tx, tokenHash: token.hash, now: Date())
            }) else {
                throw ControlPlaneError(.unauthorized, "The session token is expired, revoked or unknown; log in again.")
            }
            try Self.checkTenant(session.tenantStatus)
            return Principal(kind: .user(id: session.user.id, role: session.user.role, sessionID: session.sessionID),
                             tenantID: session.user.tenantID)
        case .apiKey:
            guard let prefix = token.prefix, let resolved = try await database.platform({ tx in
                let resolved = try await APIKeyRepository.resolve(tx, prefix: prefix, secretHash: token.hash)
                if let resolved { try await APIKeyRepository.touch(tx, id: resolved.key.id) }
                return resolved
            }) else {
                throw ControlPlaneError(.unauthorized, "The API key is revoked or unknown.")
            }
            try Self.checkTenant(resolved.tenantStatus)
            return Principal(kind: .apiKey(id: resolved.key.id, scopes: resolved.key.scopes), tenantID: resolved.key.tenantID)
        case .node:
            guard let nodeID = try await database.platform({ tx in
                try await NodeRepository.resolve(tx, credential: token)
            }) else {
                throw ControlPlaneError(.unauthorized, "The node credential is unknown or its node was removed by platform staff.")
            }
            return Principal(kind: .node(id: nodeID), tenantID: nil)
        case .bootstrap:
            throw ControlPlaneError(.unauthorized, "A bootstrap token only registers a node (POST /v1/node/register); use the node credential it returns.")
        }
    }

    static func checkTenant(_ status: TenantStatus?) throws(ControlPlaneError) {
        try TenantAccess.check(status)
    }
}
