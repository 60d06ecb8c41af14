import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// Failed-login counters in fixed windows (platform scope). Every attempt is counted *before* the
/// password is checked, in one statement, so concurrent guesses each get their own count and no
/// more than the limit are ever verified; a successful login gives its count back.
public enum LoginThrottleRepository {
    /// Counts one attempt against both keys (a key's window restarts once `window` has passed)
    /// and returns each key's attempts in its window, this one included.
    public static func countAttempt(_ tx: Transaction, _ first: LoginThrottleKey, _ second: LoginThrottleKey, window: Duration) async throws -> (first: Int, second: Int) {
        // Rows are locked in one order (sorted) so two attempts sharing keys cannot deadlock.
        let (a, b) = first.hash.lexicographicallyPrecedes(second.hash) ? (first.hash, second.hash) : (second.hash, first.hash)
        let seconds = Double(window.components.seconds)
        var counts: [Data: Int] = [:]
        for try await (key, attempts) in try await tx.query("""
            INSERT INTO login_throttle AS t (key_hash, attempts, window_start) VALUES (\(a), 1, now()), (\(b), 1, now())
            ON CONFLICT (key_hash) DO UPDATE SET
                attempts = CASE WHEN t.window_start <= now() - make_interval(secs => \(seconds)) THEN 1 ELSE t.attempts + 1 END,
                window_start = CASE WHEN t.window_start <= now() - make_interval(secs => \(seconds)) THEN now() ELSE t.window_start END
            RETURNING key_hash, attempts
            """).decode((Data, Int32).self) {
            counts[key] = Int(attempts)
        }
        return (counts[first.hash] ?? 0, counts[second.hash] ?? 0)
    }

    /// A login succeeded: the account's counter for that source is cleared and the source's
    /// counter gets this attempt back.
    public static func succeeded(_ tx: Transaction, clearing cleared: LoginThrottleKey, refunding refunded: LoginThrottleKey) async throws {
        try await tx.query("DELETE FROM login_throttle WHERE key_hash = \(cleared.hash)")
        try await tx.query("UPDATE login_throttle SET attempts = greatest(attempts - 1, 0) WHERE key_hash = \(refunded.hash)")
    }

    /// Drops counters whose window ended (they would restart at 1 anyway).
    public static func purge(_ tx: Transaction, olderThan window: Duration) async throws {
        try await tx.query("""
            DELETE FROM login_throttle WHERE window_start < now() - make_interval(secs => \(Double(window.components.seconds)))
            """)
    }
}
