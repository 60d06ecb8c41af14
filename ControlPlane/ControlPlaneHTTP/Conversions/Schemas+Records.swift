import Crypto
import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import Foundation
import IVREngine

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

extension Components.Schemas.AgentCreated {
    init(_ p: ProvisionedAgent) {
        self.init(agent: .init(p.agent), sipSecret: p.credentials.secret, sipDomain: p.sipDomain)
    }
}

extension AgentRequestedState {
    init(_ s: Components.Schemas.AgentStateRequest.StatePayload) {
        self = switch s {
        case .available: .available
        case ._break: .onBreak
        case .loggedOut: .loggedOut
        }
    }
}

extension Components.Schemas.AgentGroup {
    init(_ g: AgentGroupRecord) {
        self.init(id: g.id.wire, name: g.name, agentIds: g.agentIDs.map(\.wire), createdAt: g.createdAt)
    }
}

extension Components.Schemas.QueueMember {
    init(_ r: QueueMemberRecord) {
        self.init(agentId: r.agentID.map { $0.uuidString.lowercased() }, groupId: r.groupID.map { $0.uuidString.lowercased() },
                  tier: r.tier, weight: r.weight)
    }
}

extension QueueConfiguration {
    /// Decodes the free-form wire object into the shared model, turning decoding failures into
    /// field-level problems (`config.strategy: ...`).
    init(wire: Components.Schemas.QueueConfiguration) throws {
        let data = try JSONEncoder().encode(wire)
        do {
            self = try JSONDecoder().decode(QueueConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ControlPlaneError.validation([error.validationIssue(root: "config")])
        }
    }
}

extension Components.Schemas.Queue {
    init(_ q: QueueRecord) throws {
        let config = try JSONDecoder().decode(Components.Schemas.QueueConfiguration.self, from: JSONEncoder().encode(q.config))
        self.init(id: q.id.wire, name: q.name, config: config, createdAt: q.createdAt, updatedAt: q.updatedAt)
    }
}

extension DecodingError {
    /// The JSON path and a sentence for a decoding failure.
    func validationIssue(root: String) -> ValidationIssue {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(root) { partial, key in
                if let index = key.intValue { return partial + "[\(index)]" }
                return partial.isEmpty ? key.stringValue : partial + "." + key.stringValue
            }
        }
        switch self {
        case .keyNotFound(let key, let context):
            return ValidationIssue(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "must be of type \(type)")
        case .valueNotFound(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "must not be null (expected \(type))")
        case .dataCorrupted(let context):
            return ValidationIssue(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return ValidationIssue(field: root, message: "is not valid")
        }
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

extension Components.Schemas.AgentCommand {
    init(_ r: AgentCommandRecord) {
        self.init(id: r.id.wire, tenantId: r.tenantID.wire, agentId: r.agentID.wire, state: .init(rawValue: r.state) ?? .available,
                  reason: r.reason, status: .init(rawValue: r.status) ?? .pending, detail: r.detail, createdAt: r.createdAt,
                  completedAt: r.completedAt)
    }
}

extension CDRRow {
    init(_ cdr: Components.Schemas.Cdr, nodeID: UUID) throws {
        guard let id = UUID(uuidString: cdr.id), let tenant = UUID(uuidString: cdr.tenantId) else { throw ControlPlaneError(.badRequest, "ids") }
        let queue = try cdr.queueId.map { (text: String) throws -> UUID in
            guard let queue = UUID(uuidString: text) else { throw ControlPlaneError(.badRequest, "queueId") }
            return queue
        }
        let agent = try cdr.agentId.map { (text: String) throws -> UUID in
            guard let agent = UUID(uuidString: text) else { throw ControlPlaneError(.badRequest, "agentId") }
            return agent
        }
        let content = try CDRDocument.encoder.encode(cdr)
        var stored = cdr
        stored.nodeId = nodeID.wire
        let document = String(decoding: try CDRDocument.encoder.encode(stored), as: UTF8.self)
        self.init(id: id, tenantID: tenant, nodeID: nodeID, startedAt: cdr.startedAt, endedAt: cdr.endedAt, caller: cdr.caller,
                  callee: cdr.callee, did: cdr.did, queueID: queue, agentID: agent, disposition: cdr.disposition.rawValue,
                  document: document, contentHash: SHA256.hash(data: content).hexString)
    }
}

extension Components.Schemas.TenantSnapshot {
    init(_ s: TenantSnapshotRecord) throws {
        let t = s.tenant
        self.init(
            tenantId: t.id.wire, slug: t.slug, status: .init(rawValue: t.status.rawValue)!, sipDomain: t.sipDomain,
            allowMD5Digest: t.allowMD5Digest, timezone: t.timezone, defaultLanguage: t.defaultLanguage, limits: .init(t.limits),
            skills: s.skills,
            numbers: s.numbers.map { .init(e164: $0.e164, route: Components.Schemas.PhoneNumber($0).route) },
            queues: try s.queues.map { q in
                let queue = try Components.Schemas.Queue(q)
                return .init(id: queue.id, name: queue.name, config: queue.config,
                             members: s.members[q.id].map { $0.map(Components.Schemas.QueueMember.init) })
            },
            agents: s.agents.map { a in
                .init(id: a.id.wire, userId: a.userID?.wire, name: a.name, _extension: a.phoneExtension, sipUsername: a.sipUsername,
                      ha1Md5: a.ha1MD5, ha1Sha256: a.ha1SHA256, skills: a.skills.map { .init(skill: $0.skill, level: $0.level) },
                      groupIds: a.groupIDs.map(\.wire))
            },
            prompts: s.prompts.map { .init(name: $0.name, sha256: $0.sha256) },
            ivrAliases: try s.aliases.map { a in
                .init(alias: a.alias, flowName: a.flowName, version: a.version,
                      definition: try JSONDecoder().decode(Components.Schemas.IvrFlowDefinition.self, from: Data(a.definition.utf8)))
            })
    }
}

extension Components.Schemas.TenantPlacement {
    init(_ r: PlacementRecord) {
        self.init(tenantId: r.tenantID.uuidString.lowercased(), nodeId: r.nodeID.uuidString.lowercased(), nodeName: r.nodeName,
                  sipAddress: r.sipAddress, placedAt: r.placedAt)
    }
}

extension Components.Schemas.TenantLimits {
    /// The quotas the body gives (those left out stay as they are).
    var quotas: [TenantQuota: Int] {
        let given: [(TenantQuota, Int?)] = [(.agents, maxAgents), (.numbers, maxNumbers), (.prompts, maxPrompts),
                                            (.promptBytes, maxPromptBytes.map { Int($0) }), (.apiKeys, maxApiKeys),
                                            (.users, maxUsers), (.queues, maxQueues), (.ivrFlows, maxIvrFlows)]
        var quotas: [TenantQuota: Int] = [:]
        for case (let quota, let value?) in given { quotas[quota] = value }
        return quotas
    }
}

extension Components.Schemas.BootstrapToken {
    init(_ t: BootstrapTokenRecord) {
        self.init(id: t.id.wire, name: t.name, prefix: t.prefix, createdAt: t.createdAt, expiresAt: t.expiresAt,
                  revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt)
    }
}

extension Components.Schemas.IvrSimulationResult {
    init(simulationOf flow: IVRFlow, script: IVRSimulationScript) throws {
        self = try WireJSON.encode(IVRSimulator.run(flow: flow, script: script), as: Self.self)
    }
}

extension Components.Schemas.IvrFlowVersion {
    init(_ r: IVRFlowVersionRecord) throws {
        let definition = try JSONDecoder().decode(Components.Schemas.IvrFlowDefinition.self, from: Data(r.definition.utf8))
        self.init(flowName: r.flowName, version: r.version, definition: definition, createdAt: r.createdAt)
    }
}

extension Components.Schemas.IvrAlias {
    init(_ r: IVRAliasRecord) {
        self.init(alias: r.alias, flowName: r.flowName, version: r.version, updatedAt: r.updatedAt,
                  history: r.history.isEmpty ? nil : r.history.map { .init(flowName: $0.flowName, version: $0.version, publishedAt: $0.publishedAt) })
    }
}

extension Components.Schemas.Prompt {
    init(_ r: PromptRecord) {
        self.init(name: r.name, sha256: r.sha256, sizeBytes: r.sizeBytes, durationMs: r.durationMs, createdAt: r.createdAt)
    }
}
