import ControlPlaneAPI
import ControlPlaneClient
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Ships spooled CDRs to the control plane in batches: at start (what a previous run left), when
/// `notify()` says a CDR was spooled, and every `rescanInterval`. A failed upload is retried with
/// exponential backoff and full jitter; only ids the control plane reports as stored or duplicate
/// are deleted, rejected ones are set aside in `rejected/` (the dead letters: a metric and an
/// error log line each). A batch that fails as a whole is split until the CDR that poisons it is
/// alone (`shipOneBatch`). Graceful shutdown makes one last attempt.
package final class CdrShipper: Service, Sendable {
    /// Settings.
    package struct Configuration: Sendable {
        /// CDRs per request (the API allows 1000). Default 200.
        package var maxBatch = 200
        /// Look at the spool at least this often. Default 30 s.
        package var rescanInterval: Duration = .seconds(30)
        package var backoff = RetryBackoff(base: .milliseconds(500), maximum: .seconds(30))
        /// Server errors a single CDR may get, while the control plane takes an empty batch,
        /// before it is dead-lettered. Default 3.
        package var poisonStrikes = 3
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
    /// Server errors single CDRs got while the control plane was taking uploads, by id.
    private let poison = Mutex<[String: Int]>([:])

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
                    while !Task.isShuttingDownGracefully {
                        let outcome = await shipOneBatch()
                        if outcome == .empty { failures = 0; break }
                        if outcome == .shipped { failures = 0; continue }
                        if Task.isCancelled { break }
                        let delay = configuration.backoff.delay(attempt: failures)
                        failures += 1
                        logger.warning("CDR upload failed; retrying", metadata: ["retry.in": "\(delay)", "attempt": "\(failures)"])
                        // Shutdown ends the wait: the spool is durable, the next start ships the rest.
                        if (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }) == nil { break }
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

    /// How one upload went.
    enum UploadResult {
        case settled(Components.Schemas.CdrBatchResult)
        /// The control plane answered that it will not take this content (400, 413, 422, …).
        case refused(String)
        /// It answered with a server error (500): maybe this content, maybe the server.
        case serverError(String)
        /// No answer, or one that says nothing about the content (401/403/408/429/503, transport).
        case unavailable(String)
    }

    /// Uploads the oldest batch and applies the result. A batch the control plane does not settle
    /// is split in halves and each half shipped on its own (down to single CDRs), so one CDR it
    /// cannot take never holds the others back; a single CDR it refuses, or answers with a server
    /// error `poisonStrikes` times while the control plane takes an empty batch, is dead-lettered.
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
        return await ship(batch[...]) > 0 ? .shipped : .failed
    }

    /// Ships `batch`, splitting it on failure; returns how many CDRs left the spool.
    private func ship(_ batch: ArraySlice<CdrSpool.Cdr>) async -> Int {
        switch await upload(Array(batch)) {
        case .settled(let result):
            return await apply(result)
        case .unavailable(let reason):
            logger.debug("CDR batch not accepted", metadata: ["error": "\(reason)", "count": "\(batch.count)"])
            return 0
        case .refused(let reason) where batch.count == 1:
            return await strike(batch[batch.startIndex], reason: reason, refused: true) ? 1 : 0
        case .serverError(let reason) where batch.count == 1:
            return await strike(batch[batch.startIndex], reason: reason, refused: false) ? 1 : 0
        case .refused, .serverError:
            let middle = batch.startIndex + batch.count / 2
            let first = await ship(batch[..<middle])
            return first + (await ship(batch[middle...]))
        }
    }

    private func upload(_ batch: [CdrSpool.Cdr]) async -> UploadResult {
        do {
            return .settled(try await uploader.upload(batch))
        } catch {
            counterBox.withLock { $0.failedUploads += 1 }
            CdrMetrics.uploadFailed()
            guard let failure = error as? ControlPlaneClientError, let status = failure.statusCode else {
                return .unavailable("\(error)")
            }
            switch status {
            case 401, 403, 404, 408, 429, 502, 503, 504: return .unavailable(failure.detail)
            case 500...: return .serverError(failure.detail)
            default: return .refused("HTTP \(status): \(failure.detail)")
            }
        }
    }

    /// A single CDR failed: dead-letter it when the control plane refused it, or when it failed
    /// with a server error `poisonStrikes` times while the control plane was taking uploads (an
    /// empty batch, sent as a control right after, was accepted): then it is this CDR, not the
    /// control plane.
    private func strike(_ cdr: CdrSpool.Cdr, reason: String, refused: Bool) async -> Bool {
        var deadLetter = refused
        if !refused, (try? await uploader.upload([])) != nil {
            let limit = configuration.poisonStrikes
            deadLetter = poison.withLock { strikes -> Bool in
                if strikes.count > 10_000 { strikes.removeAll() }  // bounded; counts start again
                strikes[cdr.id, default: 0] += 1
                return strikes[cdr.id, default: 0] >= limit
            }
        }
        guard deadLetter else {
            logger.warning("CDR not accepted on its own; will retry", metadata: ["cdr.id": "\(cdr.id)", "error": "\(reason)"])
            return false
        }
        _ = poison.withLock { $0.removeValue(forKey: cdr.id) }
        let result = Components.Schemas.CdrBatchResult(stored: [], duplicates: [], rejected: [.init(id: cdr.id, detail: reason)])
        return await apply(result) > 0
    }

    /// Applies the control plane's answer to the spool; returns how many CDRs it settled.
    private func apply(_ result: Components.Schemas.CdrBatchResult) async -> Int {
        let spool = self.spool
        do {
            try await NIOThreadPool.singleton.runIfActive {
                try spool.acknowledge(result.stored + result.duplicates)
                for r in result.rejected { try spool.reject(r.id, detail: r.detail) }
            }
        } catch {
            logger.error("cannot update the CDR spool", metadata: ["error": "\(error)"])
            return 0
        }
        logger.info("CDRs shipped", metadata: ["stored": "\(result.stored.count)", "duplicates": "\(result.duplicates.count)",
                                              "rejected": "\(result.rejected.count)"])
        counterBox.withLock {
            $0.stored += result.stored.count
            $0.duplicates += result.duplicates.count
            $0.rejected += result.rejected.count
        }
        for r in result.rejected {
            CdrMetrics.deadLettered()
            logger.error("CDR dead-lettered: the control plane will not take it; kept in rejected/",
                         metadata: ["cdr.id": "\(r.id)", "detail": "\(r.detail)"])
        }
        // Ids the control plane did not mention stay pending.
        return result.stored.count + result.duplicates.count + result.rejected.count
    }
}
