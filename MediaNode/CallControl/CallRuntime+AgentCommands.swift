import ACD
import Foundation

/// An agent state change requested through the control-plane API.
package enum RequestedAgentState: Sendable, Hashable {
    case available
    case onBreak(reason: String)
    case loggedOut
}

extension CallRuntime {
    /// Applies an agent state change requested through the control-plane API (issue 6): the ACD
    /// logs the agent in and makes them available (ending wrap-up or a break), starts a break with a
    /// reason code, or logs them out. Returns nil when applied, else why not, for the person who asked.
    package func applyAgentCommand(tenant: String, agent: String, state: RequestedAgentState) async -> String? {
        guard let entry = directory.tenants[tenant], var engine = engines[tenant] else {
            return "this node does not home the tenant (it may have moved); ask again"
        }
        guard let agentEntry = entry.agents.first(where: { $0.id == agent }) else {
            return "this node does not know the agent yet (configuration still propagating); ask again"
        }
        let id = ACDAgentID(agent)
        let now = Date()
        var actions: [ACDAction] = []
        let loggedOut = engine.agentState(id).map { if case .loggedOut = $0 { true } else { false } } ?? true
        switch state {
        case .available:
            if let userAgent, await userAgent.bindings(for: "sip:\(agentEntry.sipUsername)@\(entry.sipDomain)").isEmpty {
                return "the agent's phone is not registered (\(agentEntry.sipUsername)@\(entry.sipDomain)); register it, then ask again"
            }
            if loggedOut { actions += engine.handle(.login(id), now: now) }
            actions += engine.handle(.ready(id), now: now)
        case .onBreak(let reason):
            if loggedOut { actions += engine.handle(.login(id), now: now) }
            actions += engine.handle(.startBreak(id, reason: reason), now: now)
        case .loggedOut:
            actions += engine.handle(.logout(id), now: now)
        }
        engines[tenant] = engine
        perform(actions, tenant: tenant)
        return nil
    }
}
