import CallCenterModel
import Foundation

/// What happens to the ACD: agent commands, call progress and results of actions it asked for.
/// Time is not an event: pass `now` to ``ACDEngine/handle(_:now:)`` and call ``ACDEngine/advance(to:)``.
public enum ACDEvent: Hashable, Sendable {
    // MARK: Agents
    case login(ACDAgentID)
    case logout(ACDAgentID)
    /// Available again (from break, or ends wrap-up early).
    case ready(ACDAgentID)
    case startBreak(ACDAgentID, reason: String)

    // MARK: Calls
    /// A caller joins a queue. `requiredSkills` add to the queue's requirements for this caller;
    /// `attributes` feed the queue's priority rules.
    case enqueue(ACDCallID, queue: ACDQueueID, priority: Int = 0, requiredSkills: [SkillRequirement] = [],
                 attributes: [String: String] = [:])
    /// The caller hung up (whatever state the call is in).
    case callerHungUp(ACDCallID)
    /// The caller pressed a key while waiting.
    case digit(ACDCallID, key: String)
    /// The offered agent answered.
    case answered(ACDCallID, agent: ACDAgentID)
    /// The offered agent declined (or their phone failed).
    case rejected(ACDCallID, agent: ACDAgentID)
    /// A connected call ended (either side hung up or it was transferred away).
    case callEnded(ACDCallID)
    /// A waiting caller leaves a number to be called back, keeping their place.
    case requestCallback(ACDCallID, number: String)
    /// The dial-back reached the customer (the agent is connected).
    case callbackConnected(ACDCallID)
    /// The dial-back failed (no answer, busy).
    case callbackFailed(ACDCallID)
}
