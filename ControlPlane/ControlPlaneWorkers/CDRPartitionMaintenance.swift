import ControlPlanePostgres
import Foundation
import Logging
import ServiceLifecycle

/// Keeps monthly CDR partitions made ahead: at start and every `interval` (a control plane that
/// runs for months crosses month boundaries). A month whose CDRs already landed in the default
/// partition gets its partition with those rows moved in (`ensure_cdr_partitions`, migration 0010).
public struct CDRPartitionMaintenance: Service {
    let database: Database
    let monthsAhead: Int
    let interval: Duration
    let logger: Logger

    public init(database: Database, monthsAhead: Int = 3, interval: Duration = .seconds(6 * 3600), logger: Logger) {
        self.database = database
        self.monthsAhead = monthsAhead
        self.interval = interval
        self.logger = logger
    }

    /// One pass; returns how many partitions it made.
    @discardableResult
    public func runOnce() async throws -> Int {
        let monthsAhead = self.monthsAhead
        let logger = self.logger
        let made = try await database.platform { tx in try await CDRRepository.ensurePartitions(tx, monthsAhead: monthsAhead) }
        if made > 0 { logger.notice("CDR partitions made", metadata: ["count": "\(made)"]) }
        return made
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                logger.error("could not make CDR partitions; retrying later", metadata: ["error": "\(error)"])
            }
            // The wait ends with graceful shutdown too (a plain sleep would hold shutdown for hours).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
