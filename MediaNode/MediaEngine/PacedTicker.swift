import NIOCore

/// Calls `tick` every `interval` on one event loop, scheduled against absolute deadlines so
/// timer lateness does not accumulate (20 ms packet pacing stays exact on average).
final class PacedTicker {
    private let loop: any EventLoop
    private let interval: TimeAmount
    private var nextDeadline: NIODeadline
    private var scheduled: Scheduled<Void>?
    private var tick: () -> Void
    private(set) var isRunning = false

    init(loop: any EventLoop, interval: TimeAmount, tick: @escaping () -> Void) {
        self.loop = loop
        self.interval = interval
        self.tick = tick
        self.nextDeadline = .now()
    }

    /// Starts ticking; the first tick is immediate.
    func start() {
        loop.preconditionInEventLoop()
        guard !isRunning else { return }
        isRunning = true
        nextDeadline = .now()
        fire()
    }

    /// Starts ticking at the next multiple of `interval` on the monotonic clock, so that every
    /// ticker of a loop with this interval fires in the same wake-up (thousands of legs' once-a-
    /// second checks cost one wake-up a second, not thousands).
    func startAligned() {
        loop.preconditionInEventLoop()
        guard !isRunning else { return }
        isRunning = true
        let step = UInt64(max(1, interval.nanoseconds))
        let now = NIODeadline.now().uptimeNanoseconds
        nextDeadline = .uptimeNanoseconds((now / step + 1) * step)
        scheduled = loop.assumeIsolated().scheduleTask(deadline: nextDeadline) { [self] in fire() }
    }

    func stop() {
        isRunning = false
        scheduled?.cancel()
        scheduled = nil
    }

    private func fire() {
        guard isRunning else { return }
        tick()
        guard isRunning else { return }
        nextDeadline = nextDeadline + interval
        let now = NIODeadline.now()
        // After a long stall (e.g. a blocked loop), resynchronise instead of bursting.
        if nextDeadline < now - interval * 5 { nextDeadline = now + interval }
        scheduled = loop.assumeIsolated().scheduleTask(deadline: nextDeadline) { [self] in fire() }
    }
}

extension TimeAmount {
    static func * (lhs: TimeAmount, rhs: Int64) -> TimeAmount { .nanoseconds(lhs.nanoseconds * rhs) }
}

/// Current monotonic time in 8 kHz sample units (the RTP clock of G.711).
@inline(__always)
func sampleClock(_ deadline: NIODeadline = .now()) -> UInt64 {
    deadline.uptimeNanoseconds / 125_000
}

/// Runs `body` on `loop`: inline when already there (the packet path), otherwise as a task.
@inline(__always)
func onLoop(_ loop: any EventLoop, _ body: @escaping @Sendable () -> Void) {
    if loop.inEventLoop { body() } else { loop.execute(body) }
}
