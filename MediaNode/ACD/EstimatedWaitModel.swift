/// Position and estimated wait time (EWT), the one figure used for announcements, IVR
/// variables, events and wallboards.
///
/// Model: a caller at position *p* (1 = next) in a queue with *n* staffed agents (logged in,
/// not on break) and smoothed handle time *h* waits about
///
///     EWT(p) = ceil(p / n) × h / 1           when agents are all busy, refined to
///     EWT(p) = max(0, (p − a)) × h / n       with a = agents available right now.
///
/// i.e. the callers ahead (minus those that idle agents take at once) are served by *n*
/// agents in parallel, each needing *h* seconds. *h* is an exponentially smoothed average of
/// handle time (talk + wrap-up) of calls answered from this queue, with smoothing factor α
/// (default 0.2); until the first call completes, `defaultHandleTimeSeconds` (default 180 s)
/// is used. With no staffed agent the estimate is unknown (nil): nobody will answer.
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
