import ControlPlanePostgres
import Foundation
import Logging
import ServiceLifecycle

/// Marks media nodes `down` when their heartbeats stop. Runs as a service in the control plane;
/// `sweep(now:)` is the whole decision, so tests call it with the time they choose.
public struct NodeLivenessMonitor: Service {
    let database: Database
    let downAfter: Duration
    let interval: Duration
    let logger: Logger

    public init(database: Database, downAfter: Duration, interval: Duration, logger: Logger) {
        self.database = database
        self.downAfter = downAfter
        self.interval = interval
        self.logger = logger
    }

    /// Marks every node whose last heartbeat is older than `downAfter` before `now`; returns their ids.
    @discardableResult
    public func sweep(now: Date) async throws -> [UUID] {
        let cutoff = now.addingTimeInterval(-TimeInterval(downAfter.components.seconds))
        let logger = self.logger
        let ids = try await database.platform { tx in
            let ids = try await NodeRepository.markDown(tx, lastHeartbeatBefore: cutoff)
            // Tenants homed on a node that is down (or draining) move to a healthy node.
            try await PlacementRepository.placeUnhomed(tx)
            return ids
        }
        for id in ids { logger.warning("media node missed heartbeats; marked down", metadata: ["node": "\(id)"]) }
        return ids
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep(now: Date())
            } catch {
                logger.error("node liveness sweep failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
