package import ControlPlaneAPI
package import Logging
import OpenAPIRuntime
package import ServiceLifecycle
import Synchronization

/// Real-time events (`call.offered`, `agent.state_changed`...) on their way to the control plane
/// (POST /v1/node/events). `publish` never blocks call handling: events go into a bounded buffer
/// (oldest dropped when full) and are uploaded in batches as soon as they arrive. Failed uploads
/// are retried with backoff a few times and then dropped — events are for live views; the CDR
/// is the durable record. On graceful shutdown the buffer is flushed once.
package final class NodeEventUploader: Service, Sendable {
    package typealias Event = Components.Schemas.NodeEvent

    /// Settings.
    package struct Configuration: Sendable {
        /// Events per request (the API allows 1000). Default 500.
        package var maxBatch: Int = 500
        /// Events held while the control plane is unreachable. Default 10 000.
        package var capacity: Int = 10_000
        /// Attempts per batch before it is dropped. Default 6.
        package var maxAttempts: Int = 6
        package var backoff: RetryBackoff = RetryBackoff(base: .milliseconds(200), maximum: .seconds(5))
        package init() {}
    }

    private struct State {
        var buffer: [Event] = []
        var dropped = 0
        var uploaded = 0
    }

    private let configuration: Configuration
    private let clientProvider: @Sendable () async -> Client?
    private let logger: Logger
    private let state = Mutex(State())
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation

    /// `clientProvider` returns the authenticated client (nil before registration), e.g.
    /// `{ await channel.authenticatedClient() }`.
    package init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "node-events"),
                 clientProvider: @escaping @Sendable () async -> Client?) {
        self.configuration = configuration
        self.clientProvider = clientProvider
        self.logger = logger
        (signal, signalContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues an event for upload (non-blocking).
    package func publish(_ event: Event) {
        state.withLock { s in
            if s.buffer.count >= configuration.capacity {
                s.buffer.removeFirst()
                s.dropped += 1
            }
            s.buffer.append(event)
        }
        signalContinuation.yield()
    }

    /// Events uploaded and dropped since start.
    package var counts: (uploaded: Int, dropped: Int) { state.withLock { ($0.uploaded, $0.dropped) } }

    package func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signal {
                await drain(finalFlush: false)
            }
            await drain(finalFlush: true)
        } onGracefulShutdown: {
            self.signalContinuation.finish()
        }
    }

    private func drain(finalFlush: Bool) async {
        while true {
            let batch: [Event] = state.withLock { s in
                let n = min(s.buffer.count, configuration.maxBatch)
                defer { s.buffer.removeFirst(n) }
                return Array(s.buffer.prefix(n))
            }
            if batch.isEmpty { return }
            var attempt = 0
            while true {
                do {
                    try await upload(batch)
                    state.withLock { $0.uploaded += batch.count }
                    break
                } catch {
                    attempt += 1
                    if attempt >= (finalFlush ? 1 : configuration.maxAttempts) || Task.isCancelled {
                        state.withLock { $0.dropped += batch.count }
                        logger.warning("dropping events", metadata: ["count": "\(batch.count)", "error": "\(error)"])
                        break
                    }
                    try? await Task.sleep(for: configuration.backoff.delay(attempt: attempt - 1))
                }
            }
        }
    }

    private func upload(_ events: [Event]) async throws {
        guard let client = await clientProvider() else { throw ControlPlaneClientError.notRegistered }
        switch try await client.nodeUploadEvents(body: .json(.init(events: events))) {
        case .accepted:
            return
        case .badRequest(let response):
            throw ControlPlaneClientError.declared(400, response)
        case .unauthorized(let response):
            throw ControlPlaneClientError.declared(401, response)
        case .forbidden(let response):
            throw ControlPlaneClientError.declared(403, response)
        case .contentTooLarge(let response):
            throw ControlPlaneClientError.declared(413, response)
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.declared(422, response)
        case .default(let status, let problem):
            throw ControlPlaneClientError.status(status, detail: problem.detailText)
        }
    }
}
