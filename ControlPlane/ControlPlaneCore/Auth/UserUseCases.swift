import CallCenterModel
import Foundation

/// A tenant's users, as the user use cases need them (inside the caller's transaction).
public protocol UserStore: Sendable {
    func list(page: PageRequest) async throws -> Page<UserRecord>
    /// `forUpdate` locks the row until the transaction ends (check-then-change of role or password).
    func get(id: UUID, forUpdate: Bool) async throws -> UserRecord?
    /// Reserves the tenant's `maxUsers` quota first. Throws `.conflict` when the email is taken.
    func insert(_ user: UserRecord, passwordHash: String) async throws
    /// nil when there is no such user; nil arguments leave a field as it is.
    func update(id: UUID, name: String?, role: Role?, passwordHash: String?) async throws -> UserRecord?
    func delete(id: UUID) async throws -> Bool
    /// How many tenant admins the tenant has.
    func adminCount() async throws -> Int
    /// Revokes every session of the user (after a password change).
    func revokeSessions(userID: UUID) async throws
}

/// A tenant's users: who may log in, with which role. Every grant and every change of a user is
/// bounded by the caller's own permissions (`Principal.requireCanManageUser`), and a tenant keeps
/// at least one admin.
public struct UserUseCases: Sendable {
    let work: any UnitOfWork
    let hasher: any PasswordHashing

    public init(work: any UnitOfWork, hasher: any PasswordHashing) {
        self.work = work
        self.hasher = hasher
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<UserRecord> {
        try await work.inTenant(tenantID) { try await $0.users.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> UserRecord {
        guard let user = try await work.inTenant(tenantID, { try await $0.users.get(id: id, forUpdate: false) }) else {
            throw ControlPlaneError.notFound("user")
        }
        return user
    }

    public func create(by principal: Principal, tenantID: UUID, email: String, name: String?, password: String, role: Role,
                       now: Date = Date()) async throws -> UserRecord {
        try InputValidation.check([
            InputValidation.email(email, field: "email"),
            name.flatMap { InputValidation.text($0, field: "name", max: 200, allowEmpty: true) },
            InputValidation.password(password, field: "password"),
            role == .platformStaff ? .init(field: "role", message: "platform_staff cannot be granted by a tenant") : nil,
        ])
        try principal.requireCanManageUser(currentRole: nil, newRole: role)
        let user = UserRecord(id: UUID(), tenantID: tenantID, email: email, name: name ?? "", role: role, createdAt: now)
        let hash = try await hasher.hash(password)
        try await work.inTenant(tenantID) { try await $0.users.insert(user, passwordHash: hash) }
        return user
    }

    /// Changes name, role or password; a new password revokes the user's sessions.
    public func update(by principal: Principal, tenantID: UUID, id: UUID, name: String?, password: String?,
                       role: Role?) async throws -> UserRecord {
        try InputValidation.check([
            name.flatMap { InputValidation.text($0, field: "name", max: 200, allowEmpty: true) },
            password.flatMap { InputValidation.password($0, field: "password") },
            role == .platformStaff ? .init(field: "role", message: "platform_staff cannot be granted by a tenant") : nil,
        ])
        var hash: String?
        if let password { hash = try await hasher.hash(password) }
        let passwordHash = hash
        guard let user = try await work.inTenant(tenantID, { stores -> UserRecord? in
            guard let current = try await stores.users.get(id: id, forUpdate: true) else { return nil }
            try principal.requireCanManageUser(currentRole: current.role, newRole: role)
            if let role, role != .tenantAdmin, current.role == .tenantAdmin, try await stores.users.adminCount() <= 1 {
                throw ControlPlaneError(.conflict, "This is the tenant's last admin; make another user tenant_admin first.")
            }
            let user = try await stores.users.update(id: id, name: name, role: role, passwordHash: passwordHash)
            if user != nil, passwordHash != nil { try await stores.users.revokeSessions(userID: id) }
            return user
        }) else { throw ControlPlaneError.notFound("user") }
        return user
    }

    public func delete(by principal: Principal, tenantID: UUID, id: UUID) async throws {
        let deleted = try await work.inTenant(tenantID) { stores in
            guard let current = try await stores.users.get(id: id, forUpdate: true) else { return false }
            try principal.requireCanManageUser(currentRole: current.role, newRole: nil)
            if current.role == .tenantAdmin, try await stores.users.adminCount() <= 1 {
                throw ControlPlaneError(.conflict, "This is the tenant's last admin and cannot be deleted.")
            }
            return try await stores.users.delete(id: id)
        }
        guard deleted else { throw ControlPlaneError.notFound("user") }
    }
}
