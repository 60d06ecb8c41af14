import Foundation

/// Folds the event-sourced agent transitions (``AgentStateChange``) into time per state, time per
/// break reason and offer counts: what agent reports and occupancy figures are computed from.
public struct AgentTimeReport: Sendable {
    public struct Totals: Sendable, Equatable {
        /// Seconds per ``AgentState/name``.
        public var secondsByState: [String: Double] = [:]
        /// Seconds on break per reason code.
        public var secondsByBreakReason: [String: Double] = [:]
        public var offered = 0
        public var answered = 0
        public var missed = 0
        public var autoBreaks = 0

        /// Share of staffed time spent ringing, talking or in wrap-up.
        public var occupancy: Double? {
            let busy = ["reserved", "on_call", "wrap_up"].reduce(0) { $0 + (secondsByState[$1] ?? 0) }
            let staffed = busy + (secondsByState["available"] ?? 0)
            return staffed > 0 ? busy / staffed : nil
        }
    }

    public private(set) var agents: [ACDAgentID: Totals] = [:]
    private var open: [ACDAgentID: (state: AgentState, since: Date)] = [:]

    public init() {}

    /// Applies one transition (in time order per agent).
    public mutating func apply(_ change: AgentStateChange) {
        close(change.agent, at: change.at)
        open[change.agent] = (change.to, change.at)
        var t = agents[change.agent] ?? Totals()
        switch change.reason {
        case .offered, .dialBack: t.offered += 1
        case .answered: t.answered += 1
        case .noAnswer, .rejected: t.missed += 1
        case .autoBreak: t.autoBreaks += 1; t.missed += 1
        default: break
        }
        agents[change.agent] = t
    }

    /// Applies every ``ACDAction/agentStateChanged(_:)`` among `actions`.
    public mutating func apply(_ actions: [ACDAction]) {
        for case .agentStateChanged(let change) in actions { apply(change) }
    }

    /// Counts the intervals still open up to `date` (call at the end of the reporting period).
    public mutating func close(at date: Date) {
        for agent in open.keys.sorted() {
            close(agent, at: date)
            open[agent]!.since = date
        }
    }

    private mutating func close(_ agent: ACDAgentID, at date: Date) {
        guard let (state, since) = open[agent] else { return }
        let seconds = max(0, date.timeIntervalSince(since))
        guard seconds > 0 else { return }
        var t = agents[agent] ?? Totals()
        t.secondsByState[state.name, default: 0] += seconds
        if case .onBreak(let reason) = state { t.secondsByBreakReason[reason, default: 0] += seconds }
        agents[agent] = t
    }
}
