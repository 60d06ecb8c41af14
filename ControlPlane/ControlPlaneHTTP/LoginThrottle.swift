import Foundation
import Synchronization

/// Counts failed logins per (source, email) in a sliding window and refuses further attempts with 429
/// once the limit is reached, so passwords cannot be guessed at speed. Per process: with several
/// control planes behind a balancer each applies its own limit (a shared store would be the next step).
final class LoginThrottle: Sendable {
    private let state = Mutex<[String: [ContinuousClock.Instant]]>([:])
    let limit: Int
    let window: Duration

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    func isBlocked(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { failures in
            let recent = (failures[key] ?? []).filter { now - $0 < window }
            failures[key] = recent.isEmpty ? nil : recent
            return recent.count >= limit
        }
    }

    func recordFailure(_ key: String, now: ContinuousClock.Instant = .now) {
        state.withLock { failures in
            failures[key, default: []].append(now)
            if failures.count > 100_000 { failures.removeAll() }  // bound memory under a spray attack
        }
    }

    func reset(_ key: String) {
        _ = state.withLock { $0.removeValue(forKey: key) }
    }
}
