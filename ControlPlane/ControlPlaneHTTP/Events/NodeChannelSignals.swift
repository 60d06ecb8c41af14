import ControlPlaneCore
import Foundation
import ServiceLifecycle

/// The node events a node uploads go to its tenants' WebSocket streams.
extension EventHub: TenantEventPublisher {}

/// The agent-command wake signal, ending a long-poll at once when the server shuts down (it waits
/// for requests in flight).
struct GracefulWakeup: AgentCommandWakeup {
    let signal: WakeSignal

    func generation() async -> UInt64 { await signal.generation }

    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        let signal = self.signal
        await withGracefulShutdownHandler {
            await signal.wait(after: seen, until: deadline)
        } onGracefulShutdown: {
            Task { await signal.notify() }
        }
    }

    var isShuttingDown: Bool { Task.isShuttingDownGracefully }
}
