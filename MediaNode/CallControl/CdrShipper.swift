import ControlPlaneAPI
import ControlPlaneClient
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Ships spooled CDRs to the control plane in batches: at start (what a previous run left), when
/// `notify()` says a CDR was spooled, and every `rescanInterval`. A failed upload is retried with
/// exponential backoff and full jitter; only ids the control plane reports as stored or duplicate
/// are deleted, rejected ones are set aside in `rejected/`. Graceful shutdown makes one last attempt.
package final class CdrShipper: Service, Sendable {
    /// Settings.
    package struct Configuration: Sendable {
        /// CDRs per request (the API allows 1000). Default 200.
        package var maxBatch = 200
        /// Look at the spool at least this often. Default 30 s.
        package var rescanInterval: Duration = .seconds(30)
        package var backoff = RetryBackoff(base: .milliseconds(500), maximum: .seconds(30))
        package init() {}
    }

    /// What the shipper has done since start.
    package struct Counters: Sendable, Hashable {
        package var stored = 0
        package var duplicates = 0
        package var rejected = 0
        package var failedUploads = 0
    }

    let spool: CdrSpool
    let uploader: any CdrUploading
    let configuration: Configuration
    let logger: Logger
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let counterBox = Mutex(Counters())

    package init(spool: CdrSpool, uploader: any CdrUploading, configuration: Configuration = Configuration(),
                 logger: Logger = Logger(label: "cdr-shipper")) {
        self.spool = spool
        self.uploader = uploader
        self.configuration = configuration
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something was spooled: ship soon.
    package func notify() { wakeContinuation.yield() }

    package var counters: Counters { counterBox.withLock { $0 } }

    package func run() async throws {
        // Rescan timer feeding the wake stream; ends with the group.
        await withDiscardingTaskGroup { group in
            let interval = configuration.rescanInterval
            let continuation = wakeContinuation
            group.addTask {
                while (try? await Task.sleep(for: interval)) != nil { continuation.yield() }
            }
            await withGracefulShutdownHandler {
                var failures = 0
                wakeContinuation.yield() // ship what a previous run left behind
                for await _ in wake {
                    while true {
                        let outcome = await shipOneBatch()
                        if outcome == .empty { failures = 0; break }
                        if outcome == .shipped { failures = 0; continue }
                        if Task.isCancelled { break }
                        let delay = configuration.backoff.delay(attempt: failures)
                        failures += 1
                        logger.warning("CDR upload failed; retrying", metadata: ["retry.in": "\(delay)", "attempt": "\(failures)"])
                        if (try? await Task.sleep(for: delay)) == nil { break }
                    }
                    if Task.isCancelled { break }
                }
                _ = await shipOneBatch() // last attempt on shutdown
            } onGracefulShutdown: {
                self.wakeContinuation.finish()
            }
            group.cancelAll()
        }
    }

    enum Outcome: Hashable { case empty, shipped, failed }

    /// Uploads the oldest batch and applies the result.
    func shipOneBatch() async -> Outcome {
        let spool = self.spool
        let limit = configuration.maxBatch
        let batch: [CdrSpool.Cdr]
        do {
            batch = try await NIOThreadPool.singleton.runIfActive {
                try spool.pendingIDs().prefix(limit).compactMap { try spool.load($0) }
            }
        } catch {
            if !Task.isCancelled { logger.error("cannot read the CDR spool", metadata: ["error": "\(error)"]) }
            return .failed
        }
        if batch.isEmpty { return .empty }
        let result: Components.Schemas.CdrBatchResult
        do {
            result = try await uploader.upload(batch)
        } catch {
            counterBox.withLock { $0.failedUploads += 1 }
            logger.debug("CDR batch not accepted", metadata: ["error": "\(error)", "count": "\(batch.count)"])
            return .failed
        }
        do {
            try await NIOThreadPool.singleton.runIfActive {
                try spool.acknowledge(result.stored + result.duplicates)
                for r in result.rejected { try spool.reject(r.id, detail: r.detail) }
            }
        } catch {
            logger.error("cannot update the CDR spool", metadata: ["error": "\(error)"])
            return .failed
        }
        logger.info("CDRs shipped", metadata: ["stored": "\(result.stored.count)", "duplicates": "\(result.duplicates.count)",
                                              "rejected": "\(result.rejected.count)"])
        counterBox.withLock {
            $0.stored += result.stored.count
            $0.duplicates += result.duplicates.count
            $0.rejected += result.rejected.count
        }
        for r in result.rejected {
            logger.error("CDR rejected by the control plane; kept in rejected/", metadata: ["cdr.id": "\(r.id)", "detail": "\(r.detail)"])
        }
        // Ids the control plane did not mention stay pending; if none were settled, treat as a failure (backoff).
        let settled = result.stored.count + result.duplicates.count + result.rejected.count
        return settled > 0 ? .shipped : .failed
    }
}
