import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .usersManage)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await UserRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.User.init), nextCursor: result.nextCursor))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let role = try Self.role(body.role.rawValue)
        try InputValidation.check([
            InputValidation.email(body.email, field: "email"),
            body.name.flatMap { InputValidation.text($0, field: "name", max: 200, allowEmpty: true) },
            InputValidation.password(body.password, field: "password"),
            role == .platformStaff ? .init(field: "role", message: "platform_staff cannot be granted by a tenant") : nil,
        ])
        try principal.requireCanManageUser(currentRole: nil, newRole: role)
        let user = UserRecord(id: UUID(), tenantID: tenantID, email: body.email, name: body.name ?? "", role: role, createdAt: Date())
        let hash = try await hasher.hash(body.password)
        try await database.tenant(tenantID) { tx in try await UserRepository.insert(tx, user, passwordHash: hash) }
        return .created(.init(headers: .init(location: ResourceLocation.user(user.id)), body: .json(.init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .usersManage)
        let id = try uuid(input.path.userId, field: "userId")
        guard let user = try await database.tenant(tenantID, { tx in
            try await UserRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("user") }
        return .ok(.init(body: .json(.init(user))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        let id = try uuid(input.path.userId, field: "userId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let role = try body.role.map { try Self.role($0.rawValue) }
        try InputValidation.check([
            body.name.flatMap { InputValidation.text($0, field: "name", max: 200, allowEmpty: true) },
            body.password.flatMap { InputValidation.password($0, field: "password") },
            role == .platformStaff ? .init(field: "role", message: "platform_staff cannot be granted by a tenant") : nil,
        ])
        let hash = try await body.password.asyncMap { try await hasher.hash($0) }
        guard let user = try await database.tenant(tenantID, { tx in
            guard let current = try await UserRepository.get(tx, tenantID: tenantID, id: id, forUpdate: true) else { return nil as UserRecord? }
            try principal.requireCanManageUser(currentRole: current.role, newRole: role)
            if let role, role != .tenantAdmin, current.role == .tenantAdmin,
               try await UserRepository.adminCount(tx, tenantID: tenantID) <= 1 {
                throw ControlPlaneError(.conflict, "This is the tenant's last admin; make another user tenant_admin first.")
            }
            let user = try await UserRepository.update(tx, tenantID: tenantID, id: id, name: body.name, role: role,
                                                       passwordHash: hash)
            if user != nil, hash != nil { try await SessionRepository.revokeAll(tx, userID: id) }
            return user
        }) else { throw ControlPlaneError.notFound("user") }
        return .ok(.init(body: .json(.init(user))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .usersManage)
        let id = try uuid(input.path.userId, field: "userId")
        let deleted = try await database.tenant(tenantID) { tx in
            guard let current = try await UserRepository.get(tx, tenantID: tenantID, id: id, forUpdate: true) else { return false }
            try principal.requireCanManageUser(currentRole: current.role, newRole: nil)
            if current.role == .tenantAdmin, try await UserRepository.adminCount(tx, tenantID: tenantID) <= 1 {
                throw ControlPlaneError(.conflict, "This is the tenant's last admin and cannot be deleted.")
            }
            return try await UserRepository.delete(tx, tenantID: tenantID, id: id)
        }
        guard deleted else { throw ControlPlaneError.notFound("user") }
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

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
