import ACD
import ControlPlaneAPI
import Foundation
import OpenAPIRuntime

/// Builds the real-time events (`NodeEvent`) call control publishes.
enum NodeEventFactory {
    typealias Event = Components.Schemas.NodeEvent

    static func make(_ type: Event._TypePayload, tenant: String, at: Date, _ data: [String: (any Sendable)?]) -> Event? {
        guard let container = try? OpenAPIObjectContainer(unvalidatedValue: data.compactMapValues { $0 }) else { return nil }
        return Event(tenantId: tenant, _type: type, at: at, data: .init(additionalProperties: container))
    }

    /// `call.offered`: the screen-pop payload (position history: the positions the queue announced).
    static func offered(_ s: CallSession, agent: String, queueName: String?, now: Date) -> Event? {
        let stamp = ISO8601DateFormatter()
        return make(.call_offered, tenant: s.tenantID, at: now, [
            "callId": s.id, "sipCallId": s.inbound.id.callID, "caller": s.caller, "did": s.did,
            "queueId": s.queueID, "queueName": queueName, "agentId": agent,
            "waitMs": s.queuedAt.map { Int(now.timeIntervalSince($0) * 1000) },
            "ivrInputs": s.ivrInputs, "ivrPath": s.ivrPath, "variables": s.ivrVariables,
            "positionHistory": s.positionHistory.map { ["at": stamp.string(from: $0.at), "position": $0.position] as [String: any Sendable] },
            "language": s.language,
            "customerReference": s.caller,
        ])
    }

    static func answered(_ s: CallSession, now: Date) -> Event? {
        make(.call_answered, tenant: s.tenantID, at: now, [
            "callId": s.id, "caller": s.caller, "did": s.did, "queueId": s.queueID, "agentId": s.agentID,
        ])
    }

    static func ended(_ s: CallSession, disposition: String, hangupBy: HangupParty, now: Date) -> Event? {
        make(.call_ended, tenant: s.tenantID, at: now, [
            "callId": s.id, "caller": s.caller, "did": s.did, "queueId": s.queueID, "agentId": s.agentID,
            "disposition": disposition, "hangupBy": hangupBy.rawValue,
        ])
    }

    static func agentState(_ change: AgentStateChange, tenant: String) -> Event? {
        make(.agent_stateChanged, tenant: tenant, at: change.at, [
            "agentId": change.agent.rawValue, "from": change.from.name, "to": change.to.name,
            "reason": change.reason.rawValue, "queueId": change.queue?.rawValue,
        ])
    }

    static func queue(_ stats: QueueStatistics, tenant: String, now: Date) -> Event? {
        make(.queue_updated, tenant: tenant, at: now, [
            "queueId": stats.queue.rawValue, "waiting": stats.waiting, "availableAgents": stats.availableAgents,
            "staffedAgents": stats.staffedAgents, "estimatedWaitSeconds": stats.estimatedWaitSeconds,
            "answered": stats.answered, "abandoned": stats.abandoned, "overflowed": stats.overflowed,
        ])
    }
}
