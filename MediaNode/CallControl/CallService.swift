import Logging
import ServiceLifecycle
import SIPUserAgent

/// The SIP side of the node as a `Service`: the user agent (transport, transactions, registrar)
/// and the call runtime. On graceful shutdown (SIGTERM, or staff set the node to draining) new
/// INVITEs get 503 while live calls go on until they end or `drainDeadline` passes; calls still
/// up then are ended with their CDRs spooled.
package struct CallService: Service {
    let runtime: CallRuntime
    let userAgent: SIPUserAgent
    let drainDeadline: Duration
    let logger: Logger

    package init(runtime: CallRuntime, userAgent: SIPUserAgent, drainDeadline: Duration = .seconds(300),
                 logger: Logger = Logger(label: "call-service")) {
        self.runtime = runtime
        self.userAgent = userAgent
        self.drainDeadline = drainDeadline
        self.logger = logger
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
