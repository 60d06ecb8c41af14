import Logging
import ServiceLifecycle
import SIPUserAgent

/// The SIP side of the node as a `Service`: the user agent (transport, transactions, registrar)
/// and the call runtime. On graceful shutdown (SIGTERM, or staff set the node to draining) new
/// INVITEs (and OPTIONS) get 503 while live calls go on until they end or `drainDeadline` passes;
/// calls still up then are ended with their CDRs spooled.
package struct CallService: Service {
    let runtime: CallRuntime
    let userAgent: SIPUserAgent
    let drainDeadline: Duration
    let logger: Logger
    let onDraining: @Sendable () async -> Void
    /// Retry-After on OPTIONS while draining: what new INVITEs get then (`CallRuntime.incomingCall`).
    static let retryAfterWhileDraining = 30

    /// `onDraining` is called once when the drain begins (readiness, metrics).
    package init(runtime: CallRuntime, userAgent: SIPUserAgent, drainDeadline: Duration = .seconds(300),
                 logger: Logger = Logger(label: "call-service"), onDraining: @escaping @Sendable () async -> Void = {}) {
        self.runtime = runtime
        self.userAgent = userAgent
        self.drainDeadline = drainDeadline
        self.logger = logger
        self.onDraining = onDraining
    }

    package func run() async throws {
        await runtime.attach(userAgent)
        await withDiscardingTaskGroup { group in
            group.addTask {
                do { try await userAgent.run() } catch { logger.error("SIP user agent stopped", metadata: ["error": "\(error)"]) }
            }
            group.addTask { await runtime.run() }
            guard (try? await gracefulShutdown()) != nil else {
                group.cancelAll()
                return
            }
            await userAgent.setUnavailable(retryAfter: Self.retryAfterWhileDraining)
            await onDraining()
            let active = await runtime.activeCalls
            logger.info("draining", metadata: ["calls": "\(active)", "deadline": "\(drainDeadline)"])
            await withDiscardingTaskGroup { race in
                race.addTask {
                    guard (try? await Task.sleep(for: drainDeadline)) != nil else { return }
                    await runtime.endAllCalls(reason: "drain deadline")
                }
                await runtime.drain()
                race.cancelAll()
            }
            logger.info("drained")
            await runtime.stop()
            group.cancelAll()
        }
    }
}
