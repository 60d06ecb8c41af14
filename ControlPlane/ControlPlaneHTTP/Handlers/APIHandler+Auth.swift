import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let source = ClientAddress.current ?? "unknown"
        let sourceKey = LoginThrottleKey.source(source)
        let accountKey = LoginThrottleKey.account(tenantSlug: body.tenant, email: body.email, source: source)
        let window = configuration.loginFailureWindow
        // Count this attempt before checking the password, in one statement: concurrent guesses each
        // get their own count, so no more than the limit are ever checked. The account's count is per
        // source, so an attacker elsewhere cannot lock the real user out.
        let (candidate, attempts) = try await database.platform { tx in
            if Int.random(in: 0..<256) == 0 { try await LoginThrottleRepository.purge(tx, olderThan: window) }
            let attempts = try await LoginThrottleRepository.countAttempt(tx, accountKey, sourceKey, window: window)
            return (try await UserRepository.loginCandidate(tx, tenantSlug: body.tenant, email: body.email), attempts)
        }
        let minutes = max(1, Int(window.components.seconds / 60))
        guard attempts.first <= configuration.maxLoginFailures else {
            throw ControlPlaneError(.tooManyRequests, "Too many failed logins for this account from your address; wait \(minutes) minutes and try again.",
                                    retryAfterSeconds: Int(window.components.seconds))
        }
        guard attempts.second <= configuration.maxLoginFailuresPerSource else {
            throw ControlPlaneError(.tooManyRequests, "Too many failed logins from your address; wait \(minutes) minutes and try again.",
                                    retryAfterSeconds: Int(window.components.seconds))
        }
        // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
        let verified = try await hasher.verify(body.password, hash: candidate?.passwordHash ?? unknownUserHash)
        guard let candidate, verified else {
            throw ControlPlaneError(.unauthorized, "The email, password or tenant is wrong.")
        }
        try await database.platform { tx in
            try await LoginThrottleRepository.succeeded(tx, clearing: accountKey, refunding: sourceKey)
        }
        try Authenticator.checkTenant(candidate.tenantStatus)
        let token = BearerToken.generate(.session)
        let expiresAt = Date().addingTimeInterval(TimeInterval(configuration.sessionLifetime.components.seconds))
        _ = try await database.platform { tx in
            try await SessionRepository.create(tx, user: candidate.user, tokenHash: token.hash, expiresAt: expiresAt)
        }
        return .ok(.init(body: .json(.init(token: token.text, expiresAt: expiresAt, user: .init(candidate.user)))))
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        let principal = try RequestPrincipal.require()
        guard case .user(_, _, let sessionID) = principal.kind else {
            throw ControlPlaneError(.forbidden, "Only session tokens can log out; revoke API keys with DELETE /v1/api-keys/{keyId}.")
        }
        try await database.platform { tx in try await SessionRepository.revoke(tx, id: sessionID) }
        return .noContent(.init())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let principal = try RequestPrincipal.require()
        let permissions = principal.permissions.sorted().map(\.rawValue)
        let me: Components.Schemas.Principal = switch principal.kind {
        case .user(let id, let role, _):
            .init(kind: .user, tenantId: principal.tenantID?.wire, userId: id.wire, role: .init(rawValue: role.rawValue),
                  permissions: permissions)
        case .apiKey(let id, _):
            .init(kind: .apiKey, tenantId: principal.tenantID?.wire, apiKeyId: id.wire, permissions: permissions)
        case .node(let id):
            .init(kind: .node, nodeId: id.wire, permissions: permissions)
        }
        return .ok(.init(body: .json(me)))
    }
}
