import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var auth: AuthUseCases {
        AuthUseCases(work: database, hasher: hasher,
                     policy: LoginPolicy(maxFailuresPerAccount: configuration.maxLoginFailures,
                                         maxFailuresPerSource: configuration.maxLoginFailuresPerSource,
                                         failureWindow: configuration.loginFailureWindow,
                                         sessionLifetime: configuration.sessionLifetime),
                     unknownUserHash: unknownUserHash)
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let session = try await auth.login(tenantSlug: body.tenant, email: body.email, password: body.password,
                                           source: ClientAddress.current ?? "unknown")
        return .ok(.init(body: .json(.init(token: session.token, expiresAt: session.expiresAt, user: .init(session.user)))))
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        try await auth.logout(try RequestPrincipal.require())
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
