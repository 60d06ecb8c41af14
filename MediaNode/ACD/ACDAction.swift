import CallCenterModel
import Foundation

/// What the ACD asks its owner (the per-tenant runtime on the media node) to do or publish.
public enum ACDAction: Hashable, Sendable {
    /// Ring `agent` with `call`; answer with ``ACDEvent/answered(_:agent:)`` or ``ACDEvent/rejected(_:agent:)``.
    case offer(call: ACDCallID, agent: ACDAgentID, queue: ACDQueueID)
    /// Stop ringing `agent` (ring-all lost, caller hung up, ring timeout).
    case cancelOffer(call: ACDCallID, agent: ACDAgentID)
    /// Callback keeping position reached the head: connect `agent` and dial `number`.
    case dialBack(call: ACDCallID, agent: ACDAgentID, number: String)
    /// A dial-back got no result in time: abandon that attempt (the request keeps its place).
    case cancelDialBack(call: ACDCallID, agent: ACDAgentID)
    /// Tell the caller their position and/or estimated wait.
    case announce(call: ACDCallID, position: Int?, estimatedWaitSeconds: Int?)
    /// Play music on hold to a waiting caller (`prompt` nil = tenant default).
    case playMusicOnHold(call: ACDCallID, prompt: String?)
    /// The call leaves the queue for `target` (nil target = hang up).
    case overflow(call: ACDCallID, target: OverflowTarget?, reason: OverflowReason)
    /// A callback request was dropped (attempts exhausted or window elapsed).
    case callbackAbandoned(call: ACDCallID)
    case agentStateChanged(AgentStateChange)
    case queueStatisticsChanged(QueueStatistics)
}

/// Why a call left its queue without being answered.
public enum OverflowReason: String, Hashable, Sendable {
    case maxWait = "max_wait", maxLength = "max_length", joinEmpty = "join_empty"
    case leaveEmpty = "leave_empty", exitKey = "exit_key", unknownQueue = "unknown_queue"
}

/// A queue's live figures, as wallboards and the control plane show them.
public struct QueueStatistics: Hashable, Sendable {
    public var queue: ACDQueueID
    public var waiting: Int
    /// Join time of the longest-waiting caller still waiting.
    public var oldestWaitingSince: Date?
    public var availableAgents: Int
    /// Logged-in members not on break.
    public var staffedAgents: Int
    /// ``EstimatedWaitModel`` estimate for a caller joining now.
    public var estimatedWaitSeconds: Int?
    public var answered: Int
    public var answeredWithinServiceLevel: Int
    public var abandoned: Int
    public var overflowed: Int

    public init(queue: ACDQueueID, waiting: Int, oldestWaitingSince: Date?, availableAgents: Int, staffedAgents: Int,
                estimatedWaitSeconds: Int?, answered: Int, answeredWithinServiceLevel: Int, abandoned: Int, overflowed: Int) {
        self.queue = queue
        self.waiting = waiting
        self.oldestWaitingSince = oldestWaitingSince
        self.availableAgents = availableAgents
        self.staffedAgents = staffedAgents
        self.estimatedWaitSeconds = estimatedWaitSeconds
        self.answered = answered
        self.answeredWithinServiceLevel = answeredWithinServiceLevel
        self.abandoned = abandoned
        self.overflowed = overflowed
    }
}
