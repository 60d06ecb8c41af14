import Foundation

/// A user's role.
public enum Role: String, Sendable, Codable, CaseIterable {
    case platformStaff = "platform_staff"
    case tenantAdmin = "tenant_admin"
    case supervisor
    case agent
}

/// What an API key may do.
public enum Scope: String, Sendable, Codable, CaseIterable {
    case admin
    case configRead = "config_read"
    case configWrite = "config_write"
    case keysManage = "keys_manage"
    case usersManage = "users_manage"
}

/// A permission checked by a route.
public enum Permission: String, Sendable, CaseIterable, Comparable {
    case tenantRead = "tenant:read"
    case tenantWrite = "tenant:write"
    case configRead = "config_read"
    case configWrite = "config_write"
    case keysManage = "keys_manage"
    case usersManage = "users_manage"
    /// Change agents' states (log in, ready, break, log out): admins and supervisors.
    case agentControl = "agent_control"
    case platform = "platform"
    case node = "node"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    static func granted(to role: Role) -> Set<Permission> {
        switch role {
        case .platformStaff: [.platform]
        case .tenantAdmin: [.tenantRead, .tenantWrite, .configRead, .configWrite, .keysManage, .usersManage, .agentControl]
        case .supervisor: [.tenantRead, .configRead, .agentControl]
        case .agent: [.tenantRead]
        }
    }

    static func granted(to scopes: [Scope]) -> Set<Permission> {
        var permissions: Set<Permission> = [.tenantRead]
        for scope in scopes {
            switch scope {
            case .admin: permissions.formUnion(granted(to: .tenantAdmin))
            case .configRead: permissions.insert(.configRead)
            case .configWrite: permissions.formUnion([.configRead, .configWrite, .agentControl])
            case .keysManage: permissions.insert(.keysManage)
            case .usersManage: permissions.insert(.usersManage)
            }
        }
        return permissions
    }
}

/// Who is calling, resolved from the bearer credential before any handler runs.
public struct Principal: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case user(id: UUID, role: Role, sessionID: UUID)
        case apiKey(id: UUID, scopes: [Scope])
        case node(id: UUID)
    }

    public var kind: Kind
    /// The tenant the credential belongs to; nil for platform staff and nodes.
    public var tenantID: UUID?

    public init(kind: Kind, tenantID: UUID?) {
        self.kind = kind
        self.tenantID = tenantID
    }

    public var permissions: Set<Permission> {
        switch kind {
        case .user(_, let role, _): Permission.granted(to: role)
        case .apiKey(_, let scopes): Permission.granted(to: scopes)
        case .node: [.node]
        }
    }

    /// The tenant for a tenant-scoped operation needing `permission`, or the right error:
    /// 403 for a credential that is not allowed (including platform and node credentials).
    public func tenant(for permission: Permission) throws(ControlPlaneError) -> UUID {
        guard let tenantID else {
            throw ControlPlaneError(.forbidden, "This route is for tenant users and API keys; your credential belongs to the platform or a node.")
        }
        try require(permission)
        return tenantID
    }

    /// The one rule for handing out or taking over power (issue 13): a principal may give a user
    /// `role` only if every permission of that role is its own, and may change or delete a user only
    /// if that user's current permissions are all its own — otherwise `users_manage` alone would make
    /// an admin with a password of its choosing, or reset an admin's password and log in as them.
    public func requireCanManageUser(currentRole: Role?, newRole: Role?) throws(ControlPlaneError) {
        if let currentRole, let missing = lacking(Permission.granted(to: currentRole)) {
            throw ControlPlaneError(.forbidden, "This user is a \(currentRole.rawValue) with the '\(missing.rawValue)' permission, which your credential lacks; only a credential with all of that user's permissions may change or delete them.")
        }
        if let newRole, let missing = lacking(Permission.granted(to: newRole)) {
            throw ControlPlaneError(.forbidden, "You cannot grant the role \(newRole.rawValue): it includes the '\(missing.rawValue)' permission, which your credential lacks.")
        }
    }

    /// The first of `other` this principal does not hold (nil: `other` is a subset of its permissions).
    /// Used for every grant: roles to users, scopes to new API keys.
    public func lacking(_ other: Set<Permission>) -> Permission? {
        other.subtracting(permissions).sorted().first
    }

    public func require(_ permission: Permission) throws(ControlPlaneError) {
        guard permissions.contains(permission) else {
            throw ControlPlaneError(.forbidden, "Your credential lacks the '\(permission.rawValue)' permission this route needs.")
        }
    }
}
