import ControlPlanePostgres
import Foundation
import Logging
import ServiceLifecycle

/// Deletes `Idempotency-Key` records older than their 24 hours (migration 0012), at start and every
/// `interval`. Lookups ignore expired records anyway; this bounds the table.
public struct IdempotencyKeyExpiry: Service {
    let database: Database
    let interval: Duration
    let logger: Logger

    public init(database: Database, interval: Duration = .seconds(3600), logger: Logger) {
        self.database = database
        self.interval = interval
        self.logger = logger
    }

    /// One pass; returns how many records it deleted.
    @discardableResult
    public func runOnce() async throws -> Int {
        let logger = self.logger
        let deleted = try await database.platform { tx in try await IdempotencyKeyRepository.purgeExpired(tx) }
        if deleted > 0 { logger.info("expired idempotency keys deleted", metadata: ["count": "\(deleted)"]) }
        return deleted
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                logger.error("could not delete expired idempotency keys; retrying later", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
