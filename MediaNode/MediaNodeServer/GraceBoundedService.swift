import Logging
import ServiceLifecycle
import Synchronization

/// One time budget, shared by the services that stop after calls have drained: the first of them
/// told to shut down starts the clock; each is cancelled when it runs out.
final class ShutdownGrace: Sendable {
    let grace: Duration
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    init(grace: Duration) { self.grace = grace }

    /// When the budget ends (fixed by the first caller).
    func end() -> ContinuousClock.Instant {
        deadline.withLock { d in
            if let d { return d }
            let end = ContinuousClock.now + grace
            d = end
            return end
        }
    }
}

/// Runs `base` and, once graceful shutdown has begun, cancels it when the shared `ShutdownGrace`
/// runs out. Why: a service can take any time to finish (the CDR shipper retried a failing upload
/// with backoff for as long as the control plane refused it, and the node stayed up for minutes
/// after "drained"); the spool is durable, so after the drain nothing is lost by cutting it short.
/// A cancelled service ends quietly: the group and the process still end with success.
struct GraceBoundedService: Service, CustomStringConvertible {
    let base: any Service
    let name: String
    let grace: ShutdownGrace
    let logger: Logger

    var description: String { name }

    private enum Ended: Sendable {
        case service((any Error)?)
        case graceExpired
        case timerStopped
    }

    func run() async throws {
        let failure: (any Error)? = await withTaskGroup(of: Ended.self) { group in
            // Both children inherit the group's graceful-shutdown context (a task local).
            group.addTask {
                do { try await base.run(); return .service(nil) } catch { return .service(error) }
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(until: grace.end(), clock: .continuous)
                    return .graceExpired
                } catch {
                    return .timerStopped
                }
            }
            var failure: (any Error)?
            var expired = false
            for await ended in group {
                switch ended {
                case .service(let error):
                    if !expired { failure = error }
                    group.cancelAll()
                case .graceExpired:
                    expired = true
                    logger.warning("shutdown grace over; cancelling", metadata: ["service": "\(name)", "grace": "\(grace.grace)"])
                    group.cancelAll()
                case .timerStopped:
                    break
                }
            }
            return failure
        }
        if let failure { throw failure }
    }
}
