import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var users: UserUseCases { UserUseCases(work: database, hasher: hasher) }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .usersManage)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await users.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.User.init), nextCursor: result.nextCursor))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let user = try await users.create(by: principal, tenantID: tenantID, email: body.email, name: body.name,
                                          password: body.password, role: try Self.role(body.role.rawValue))
        return .created(.init(headers: .init(location: ResourceLocation.user(user.id)), body: .json(.init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .usersManage)
        let user = try await users.get(tenantID: tenantID, id: try uuid(input.path.userId, field: "userId"))
        return .ok(.init(body: .json(.init(user))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        let id = try uuid(input.path.userId, field: "userId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let user = try await users.update(by: principal, tenantID: tenantID, id: id, name: body.name, password: body.password,
                                          role: try body.role.map { try Self.role($0.rawValue) })
        return .ok(.init(body: .json(.init(user))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        try await users.delete(by: principal, tenantID: tenantID, id: try uuid(input.path.userId, field: "userId"))
        return .noContent(.init())
    }
}

extension APIHandler {
    /// A role named in a request body (the generated enum has the same cases).
    static func role(_ name: String) throws(ControlPlaneError) -> Role {
        guard let role = Role(rawValue: name) else { throw ControlPlaneError.invalid("role", "'\(name.prefix(32))' is not a role") }
        return role
    }
}
