import CallCenterModel
import Foundation
@testable import ACD

/// An independent bookkeeping of calls, built only from the events sent and the actions seen,
/// to check the engine against (no call lost or duplicated, offers qualified).
struct ACDModel {
    enum Phase: Equatable { case waiting, ringing(Set<ACDAgentID>), dialing(ACDAgentID), connected(ACDAgentID), parked }
    struct Call {
        var queue: ACDQueueID
        var extras: [SkillRequirement]
        var joinedAt: Date
        var phase: Phase = .waiting
        var callback = false
    }

    var calls: [ACDCallID: Call] = [:]
    var errors: [String] = []
    var now = Date(timeIntervalSince1970: 1_800_000_000)

    var live: [ACDCallID] { calls.keys.sorted() }
    var ringing: [(ACDCallID, ACDAgentID)] {
        calls.sorted { $0.key < $1.key }.flatMap { (id, call) -> [(ACDCallID, ACDAgentID)] in
            guard case .ringing(let set) = call.phase else { return [] }
            return set.sorted().map { (id, $0) }
        }
    }
    var dialing: [ACDCallID] { calls.filter { if case .dialing = $0.value.phase { true } else { false } }.keys.sorted() }
    var connected: [ACDCallID] { calls.filter { if case .connected = $0.value.phase { true } else { false } }.keys.sorted() }

    mutating func apply(_ event: ACDEvent?, _ actions: [ACDAction], at time: Date? = nil) {
        if let time { now = time }
        if let event { applyEvent(event, actions) }
        for action in actions { applyAction(action) }
    }

    private mutating func applyEvent(_ event: ACDEvent, _ actions: [ACDAction]) {
        switch event {
        case .enqueue(let id, let queue, _, let skills, _):
            if calls[id] != nil { errors.append("test generated duplicate \(id)") }
            calls[id] = Call(queue: queue, extras: skills, joinedAt: now)
        case .answered(let id, let agent):
            if case .ringing(let set)? = calls[id]?.phase, set.contains(agent) { calls[id]!.phase = .connected(agent) }
        case .rejected(let id, let agent):
            if case .ringing(var set)? = calls[id]?.phase, set.contains(agent) {
                set.remove(agent)
                calls[id]!.phase = set.isEmpty ? .waiting : .ringing(set)
            }
        case .callEnded(let id):
            if case .connected? = calls[id]?.phase { calls[id] = nil } else { hangUp(id) }
        case .callerHungUp(let id):
            hangUp(id)
        case .requestCallback(let id, _):
            if let call = calls[id], call.phase == .waiting, !call.callback,
               ACDPropertyTests.queueConfigs.first(where: { $0.0 == call.queue })!.1.callback.enabled {
                calls[id]!.callback = true
            }
        case .callbackConnected(let id):
            if case .dialing(let a)? = calls[id]?.phase { calls[id]!.phase = .connected(a) }
        case .callbackFailed(let id):
            if case .dialing? = calls[id]?.phase { calls[id]!.phase = .parked }
        case .login, .logout, .ready, .startBreak, .digit:
            break
        }
    }

    private mutating func hangUp(_ id: ACDCallID) {
        guard let call = calls[id] else { return }
        switch call.phase {
        case .waiting where call.callback, .dialing, .parked: return
        default: calls[id] = nil
        }
    }

    private mutating func applyAction(_ action: ACDAction) {
        switch action {
        case .offer(let id, let agent, _):
            guard let call = calls[id] else { return errors.append("offer of unknown \(id)") }
            if !qualifies(agent: agent, call: id, now: now) { errors.append("\(agent) does not qualify for \(id)") }
            switch call.phase {
            case .waiting: calls[id]!.phase = .ringing([agent])
            case .ringing(var set): set.insert(agent); calls[id]!.phase = .ringing(set)
            default: errors.append("offer of \(id) in \(call.phase)")
            }
        case .cancelOffer(let id, let agent):
            if case .ringing(var set)? = calls[id]?.phase {
                set.remove(agent)
                calls[id]!.phase = set.isEmpty ? .waiting : .ringing(set)
            }
        case .dialBack(let id, let agent, _):
            guard let call = calls[id], call.callback else { return errors.append("dial back of \(id) without a callback") }
            calls[id]!.phase = .dialing(agent)
        case .overflow(let id, _, _):
            if let call = calls[id], call.phase != .waiting { errors.append("overflow of \(id) in \(call.phase)") }
            calls[id] = nil
        case .cancelDialBack(let id, _):
            if case .dialing? = calls[id]?.phase { calls[id]!.phase = .parked }
        case .callbackAbandoned(let id):
            calls[id] = nil
        case .announce, .playMusicOnHold, .agentStateChanged, .queueStatisticsChanged:
            break
        }
    }

    /// Whether the agent meets the call's requirements at the escalation level reached now, from the configuration alone.
    func qualifies(agent: ACDAgentID, call id: ACDCallID, now: Date) -> Bool {
        guard let call = calls[id] else { return false }
        let config = ACDPropertyTests.queueConfigs.first { $0.0 == call.queue }!.1
        let profile = ACDPropertyTests.agentConfigs.first { $0.0 == agent }!.1
        guard let membership = profile.queues.first(where: { $0.queue == call.queue.rawValue }) else { return false }
        func meets(_ reqs: [SkillRequirement]) -> Bool {
            reqs.allSatisfy { r in (profile.skills.first { $0.skill == r.skill }?.level ?? 0) >= r.minLevel }
        }
        guard meets(call.extras) else { return false }
        let waited = now.timeIntervalSince(call.joinedAt)
        var skills = config.requiredSkills, tier = config.maxTier ?? Int.max
        if membership.tier <= tier && meets(skills) { return true }
        for step in config.escalation where Double(step.afterSeconds) <= waited {
            if let s = step.skills { skills = s }
            if let t = step.maxTier { tier = t }
            if membership.tier <= tier && meets(skills) { return true }
        }
        return false
    }
}
