import ControlPlaneAPI
import ControlPlaneCore
import Foundation

// Conversions from domain records to the generated wire types.

extension Components.Schemas.Tenant {
    init(_ t: TenantRecord) {
        self.init(id: t.id.uuidString.lowercased(), slug: t.slug, name: t.name, contactEmail: t.contactEmail,
                  timezone: t.timezone, defaultLanguage: t.defaultLanguage,
                  status: Components.Schemas.TenantStatus(rawValue: t.status.rawValue)!, sipDomain: t.sipDomain,
                  allowMD5Digest: t.allowMD5Digest, limits: .init(t.limits), createdAt: t.createdAt)
    }
}

extension Components.Schemas.TenantLimits {
    init(_ l: TenantLimits) {
        self.init(maxConcurrentCalls: l.maxConcurrentCalls, maxRegistrations: l.maxRegistrations,
                  maxAgents: l.limit(.agents), maxNumbers: l.limit(.numbers), maxPrompts: l.limit(.prompts),
                  maxPromptBytes: Int64(l.limit(.promptBytes)), maxApiKeys: l.limit(.apiKeys), maxUsers: l.limit(.users),
                  maxQueues: l.limit(.queues), maxIvrFlows: l.limit(.ivrFlows))
    }
}

extension Components.Schemas.User {
    init(_ u: UserRecord) {
        self.init(id: u.id.wire, tenantId: u.tenantID?.wire, email: u.email, name: u.name,
                  role: Components.Schemas.Role(rawValue: u.role.rawValue)!, createdAt: u.createdAt)
    }
}

extension Components.Schemas.ApiKey {
    init(_ k: APIKeyRecord) {
        self.init(id: k.id.wire, name: k.name, prefix: k.prefix,
                  scopes: k.scopes.compactMap { Components.Schemas.Scope(rawValue: $0.rawValue) },
                  createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt)
    }
}

extension Components.Schemas.Skill {
    init(_ s: SkillRecord) {
        self.init(id: s.id.wire, name: s.name, description: s.description, createdAt: s.createdAt)
    }
}

extension Components.Schemas.Agent {
    init(_ a: AgentRecord) {
        self.init(id: a.id.wire, name: a.name, _extension: a.phoneExtension, sipUsername: a.sipUsername,
                  userId: a.userID?.wire, skills: a.skills.map { .init(skillId: $0.skillID.wire, level: $0.level) },
                  createdAt: a.createdAt)
    }
}

extension Components.Schemas.AgentGroup {
    init(_ g: AgentGroupRecord) {
        self.init(id: g.id.wire, name: g.name, agentIds: g.agentIDs.map(\.wire), createdAt: g.createdAt)
    }
}

extension Components.Schemas.PhoneNumber {
    init(_ n: PhoneNumberRecord) {
        let route: Components.Schemas.NumberRoute = switch n.route {
        case .none: .init(_type: .none)
        case .queue(let id): .init(_type: .queue, queueId: id.wire)
        case .ivr(let alias): .init(_type: .ivr, ivrAlias: alias)
        }
        self.init(id: n.id.wire, e164: n.e164, tenantId: n.tenantID?.wire, route: route, allocatedAt: n.allocatedAt)
    }
}

extension Components.Schemas.NodeLoad {
    init(_ l: NodeLoad) {
        self.init(activeCalls: l.activeCalls, registeredPhones: l.registeredPhones, cpuLoad: l.cpuLoad,
                  queueDepth: l.queueDepth, agentsAvailable: l.agentsAvailable)
    }
}

extension NodeLoad {
    init(_ l: Components.Schemas.NodeLoad) {
        self.init(activeCalls: l.activeCalls, registeredPhones: l.registeredPhones, cpuLoad: l.cpuLoad,
                  queueDepth: l.queueDepth, agentsAvailable: l.agentsAvailable)
    }
}

extension Components.Schemas.Node {
    init(_ n: NodeRecord) {
        self.init(id: n.id.wire, name: n.name, status: Components.Schemas.NodeStatus(rawValue: n.status)!,
                  adminState: .init(rawValue: n.adminState.rawValue)!, sipAddress: n.sipAddress, version: n.version,
                  load: n.load.map(Components.Schemas.NodeLoad.init), lastHeartbeatAt: n.lastHeartbeatAt,
                  registeredAt: n.registeredAt)
    }
}

extension UUID {
    /// Lower-case text, the form ids take on the wire.
    var wire: String { uuidString.lowercased() }
}
