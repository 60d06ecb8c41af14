/// Position and estimated wait time (EWT), the one figure used for announcements, IVR
/// variables, events and wallboards.
///
/// Model: a caller at position *p* (1 = next) in a queue with *n* staffed agents (logged in,
/// not on break), *a* of them available right now, and smoothed handle time *h* waits about
///
///     EWT(p) = max(0, p − a) × h / n
///
/// i.e. the callers ahead who are not picked up at once by an idle agent are served by *n*
/// agents in parallel, each needing *h* seconds per call. *h* is an exponentially smoothed
/// average of handle time (talk + wrap-up) of calls answered from this queue, with smoothing
/// factor α (default 0.2, so about the last ten calls dominate); until the first call completes,
/// `defaultHandleTimeSeconds` (default 180 s) is used. With no staffed agent the estimate is
/// unknown (nil): nobody will answer. The estimate is what ``ACDEngine/estimatedWait(of:)``,
/// the announcements and ``QueueStatistics/estimatedWaitSeconds`` (for a caller joining now) use.
/// It ignores callers' own skill requirements and agents shared with other queues, so it is an
/// upper-bound-ish guide for busy skill groups and tested within one handle time on simulated traffic.
public struct EstimatedWaitModel: Hashable, Sendable {
    /// Handle time assumed before any call completes.
    public var defaultHandleTimeSeconds: Double
    /// Weight of the newest observation in the smoothed handle time (0 < α ≤ 1).
    public var smoothing: Double

    public init(defaultHandleTimeSeconds: Double = 180, smoothing: Double = 0.2) {
        self.defaultHandleTimeSeconds = defaultHandleTimeSeconds
        self.smoothing = smoothing
    }

    /// The smoothed handle time after observing `handleSeconds`.
    public func smoothed(_ current: Double?, observing handleSeconds: Double) -> Double {
        guard let current else { return handleSeconds }
        return smoothing * handleSeconds + (1 - smoothing) * current
    }

    /// Estimated wait in seconds for the caller at `position` (1-based), or nil when no agent is staffed.
    public func estimatedWait(position: Int, staffedAgents: Int, availableAgents: Int, handleTimeSeconds: Double?) -> Int? {
        guard staffedAgents > 0 else { return nil }
        let h = handleTimeSeconds ?? defaultHandleTimeSeconds
        let ahead = max(0, position - availableAgents)
        return Int((Double(ahead) * h / Double(staffedAgents)).rounded())
    }
}
