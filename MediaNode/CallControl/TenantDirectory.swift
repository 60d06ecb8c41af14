import CallCenterModel
import ControlPlaneAPI
import ControlPlaneClient
import Foundation
import SIPAuth

/// The node's tenants as call control looks them up, built from a configuration snapshot (pure).
/// Numbers are keyed by E.164 without the `+` as well, since carriers send either form.
package struct TenantDirectory: Sendable {
    /// What a number leads to.
    package enum Route: Hashable, Sendable {
        case queue(id: String)
        case ivr(alias: String)
        case none
    }

    /// An agent with SIP credentials, as the snapshot lists it.
    package struct Agent: Hashable, Sendable {
        package var id: String
        package var name: String
        package var extensionNumber: String
        package var sipUsername: String
        package var ha1MD5: String
        package var ha1SHA256: String
        package var skills: [SkillLevel]
        package var groupIDs: [String] = []
    }

    /// A queue member from the snapshot: an agent or a group, with tier and weight.
    package struct Member: Hashable, Sendable {
        package var agentID: String?
        package var groupID: String?
        package var tier: Int
        package var weight: Int
    }

    /// One tenant's configuration.
    package struct Tenant: Sendable {
        package var id: String
        package var slug: String
        /// Lower-cased; the digest realm of its phones.
        package var sipDomain: String
        package var allowMD5Digest: Bool
        package var isActive: Bool
        package var defaultLanguage: String
        /// Calls up at once (staff-set); one more is answered 486. Unlimited when the snapshot has no limits.
        package var maxConcurrentCalls = Int.max
        /// Registered contacts of its phones; a REGISTER beyond is answered 403.
        package var maxRegistrations = Int.max
        package var queues: [(id: String, name: String, configuration: QueueConfiguration)]
        /// Queue id → members; a queue without members is served by every agent.
        package var members: [String: [Member]] = [:]
        package var agents: [Agent]
        package var ivrFlows: [String: IVRFlow]
        /// Uploaded prompts: name and SHA-256.
        package var prompts: [(name: String, sha256: String)] = []

        package func agent(sipUsername: String) -> Agent? { agents.first { $0.sipUsername == sipUsername } }

        /// The queues `agent` serves, with tier and weight: where it is a member (directly or through
        /// a group; the lowest tier named wins), plus every queue without members.
        package func memberships(of agent: Agent) -> [QueueMembership] {
            queues.compactMap { q -> QueueMembership? in
                guard let list = members[q.id], !list.isEmpty else { return QueueMembership(queue: q.id) }
                let matching = list.filter { m in
                    m.agentID == agent.id || m.groupID.map { agent.groupIDs.contains($0) } == true
                }
                guard let best = matching.min(by: { $0.tier < $1.tier }) else { return nil }
                return QueueMembership(queue: q.id, tier: best.tier, weight: best.weight)
            }
        }
        package func queue(_ id: String) -> QueueConfiguration? { queues.first { $0.id == id }?.configuration }
    }

    package let version: Int64
    package private(set) var tenants: [String: Tenant] = [:]
    private var byDomain: [String: String] = [:]
    private var byNumber: [String: (tenant: String, route: Route)] = [:]
    /// Problems met while reading the snapshot (bad queue configuration, bad flow); logged by the owner.
    package private(set) var issues: [String] = []

    package init(snapshot: NodeSnapshot?) {
        version = snapshot?.version ?? 0
        for t in snapshot?.tenants ?? [] {
            var queues: [(String, String, QueueConfiguration)] = []
            var members: [String: [Member]] = [:]
            for q in t.queues {
                if let list = q.members, !list.isEmpty {
                    members[q.id] = list.map { Member(agentID: $0.agentId?.lowercased(), groupID: $0.groupId?.lowercased(),
                                                      tier: $0.tier ?? 0, weight: $0.weight ?? 1) }
                }
                do {
                    queues.append((q.id, q.name, try Self.decode(QueueConfiguration.self, from: q.config)))
                } catch {
                    issues.append("tenant \(t.slug): queue \(q.name): \(error)")
                }
            }
            var flows: [String: IVRFlow] = [:]
            for alias in t.ivrAliases {
                do {
                    flows[alias.alias] = try Self.decode(IVRFlow.self, from: alias.definition)
                } catch {
                    issues.append("tenant \(t.slug): IVR alias \(alias.alias): \(error)")
                }
            }
            let agents = t.agents.map {
                Agent(id: $0.id, name: $0.name, extensionNumber: $0._extension, sipUsername: $0.sipUsername,
                      ha1MD5: $0.ha1Md5, ha1SHA256: $0.ha1Sha256,
                      skills: $0.skills.map { SkillLevel(skill: $0.skill, level: $0.level) },
                      groupIDs: $0.groupIds.map { $0.lowercased() })
            }
            var tenant = Tenant(id: t.tenantId, slug: t.slug, sipDomain: t.sipDomain.lowercased(), allowMD5Digest: t.allowMD5Digest,
                                isActive: t.status == .active, defaultLanguage: t.defaultLanguage,
                                queues: queues, members: members, agents: agents, ivrFlows: flows)
            tenant.prompts = (t.prompts ?? []).map { ($0.name, $0.sha256) }
            if let limits = t.limits {
                tenant.maxConcurrentCalls = max(0, limits.maxConcurrentCalls)
                tenant.maxRegistrations = max(0, limits.maxRegistrations)
            }
            tenants[tenant.id] = tenant
            byDomain[tenant.sipDomain] = tenant.id
            for n in t.numbers {
                let route: Route
                switch n.route._type {
                case .queue: route = n.route.queueId.map { .queue(id: $0) } ?? .none
                case .ivr: route = n.route.ivrAlias.map { .ivr(alias: $0) } ?? .none
                case .none: route = .none
                }
                byNumber[Self.numberKey(n.e164)] = (tenant.id, route)
            }
        }
    }

    /// The tenant whose SIP domain is `domain`.
    package func tenant(forDomain domain: String) -> Tenant? {
        byDomain[domain.lowercased()].flatMap { tenants[$0] }
    }

    /// The tenant and route of a dialled number (`+861012345678` or `861012345678`).
    package func route(forNumber number: String) -> (tenant: Tenant, route: Route)? {
        guard let entry = byNumber[Self.numberKey(number)], let tenant = tenants[entry.tenant] else { return nil }
        return (tenant, entry.route)
    }

    /// HA1 of a phone of the tenant whose realm (SIP domain) is `realm` (RFC 8760: MD5 only when allowed).
    package func ha1(username: String, realm: String, algorithm: DigestAlgorithm) -> String? {
        guard let tenant = tenant(forDomain: realm), tenant.isActive, let agent = tenant.agent(sipUsername: username) else { return nil }
        switch algorithm {
        case .md5: return tenant.allowMD5Digest ? agent.ha1MD5 : nil
        case .sha256: return agent.ha1SHA256
        }
    }

    static func numberKey(_ number: String) -> String {
        String(number.filter(\.isNumber))
    }

    /// Open JSON objects of the API (queue configuration, IVR flow) → the shared model types.
    static func decode<T: Decodable>(_ type: T.Type, from container: some Encodable) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(container))
    }
}
