import Foundation

/// Where an agent is in the ACD's agent state machine.
///
/// ```
/// loggedOut ─login─▶ available ◀──────── wrapUp ◀─ onCall ◀─answer─ reserved
///                      │  ▲ ▲                                          │
///                      │  │ └───────── no answer / reject / cancel ────┘
///                  break  ready          (after N misses ─▶ onBreak(autoBreakReason))
///                      ▼  │
///                    onBreak(reason)
/// ```
public enum AgentState: Hashable, Sendable {
    case loggedOut
    case available
    case onBreak(reason: String)
    /// Offered a call (ringing) or dialling a callback; returns by itself after the ring timeout.
    case reserved(call: ACDCallID)
    case onCall(call: ACDCallID)
    /// After-call work for the call's queue; ends at the deadline or on request.
    case wrapUp(call: ACDCallID)

    /// The state's name as reports store it.
    public var name: String {
        switch self {
        case .loggedOut: "logged_out"
        case .available: "available"
        case .onBreak: "on_break"
        case .reserved: "reserved"
        case .onCall: "on_call"
        case .wrapUp: "wrap_up"
        }
    }
}

/// Why an agent changed state; stored with every transition.
public enum AgentStateReason: String, Hashable, Sendable {
    case login, logout, ready, breakRequested = "break"
    case offered, answered, noAnswer = "no_answer", rejected, offerCancelled = "offer_cancelled"
    case callEnded = "call_ended", wrapUpEnded = "wrap_up_ended", autoBreak = "auto_break"
    case dialBack = "dial_back", callbackFailed = "callback_failed"
}

/// One event-sourced agent transition; reports are computed by folding these.
public struct AgentStateChange: Hashable, Sendable {
    public var agent: ACDAgentID
    public var from: AgentState
    public var to: AgentState
    public var reason: AgentStateReason
    /// Queue of the call involved, if any.
    public var queue: ACDQueueID?
    public var at: Date

    public init(agent: ACDAgentID, from: AgentState, to: AgentState, reason: AgentStateReason, queue: ACDQueueID?, at: Date) {
        self.agent = agent
        self.from = from
        self.to = to
        self.reason = reason
        self.queue = queue
        self.at = at
    }
}
