/// Exponential backoff with full jitter ("AWS architecture blog" style): the n-th retry waits a
/// random time in `[0, min(maximum, base * 2^n)]`, never less than `minimum`. Pure: the caller
/// passes the random number generator.
package struct RetryBackoff: Sendable, Hashable {
    /// Upper bound of the first retry's delay.
    package var base: Duration
    /// Upper bound of every delay.
    package var maximum: Duration
    /// Lower bound of every delay (avoids hot loops when jitter draws near zero).
    package var minimum: Duration

    package init(base: Duration = .milliseconds(500), maximum: Duration = .seconds(30), minimum: Duration = .milliseconds(50)) {
        self.base = base
        self.maximum = maximum
        self.minimum = minimum
    }

    /// The ceiling of the delay before retry `attempt` (0-based), before jitter.
    package func ceiling(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 30)
        let scaled = base * factor
        return scaled > maximum ? maximum : scaled
    }

    /// A jittered delay before retry `attempt`.
    package func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceilingNanos = ceiling(attempt: attempt).nanoseconds
        let drawn = Duration.nanoseconds(Int64.random(in: 0...max(ceilingNanos, 0), using: &generator))
        return drawn < minimum ? minimum : drawn
    }

    /// A jittered delay from the system random number generator.
    package func delay(attempt: Int) -> Duration {
        var g = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &g)
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    package var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : ns &+ atto / 1_000_000_000
    }
}
