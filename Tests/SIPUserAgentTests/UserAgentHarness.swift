import Logging
import NIOCore
import SIPAuth
import SIPMessage
import SIPTransaction
import SIPTransport
import SIPUserAgent
import Synchronization

/// A delegate that answers calls with a fixed SDP and reports every ended call on a stream.
final class RecordingDelegate: SIPUserAgentDelegate {
    let ended: AsyncStream<SIPCallEndReason>
    private let continuation: AsyncStream<SIPCallEndReason>.Continuation
    let modifications = Mutex<[String]>([])
    let rejectStatus: Int?
    let retryAfter: Int?

    init(rejectStatus: Int? = nil, retryAfter: Int? = nil) {
        self.retryAfter = retryAfter
        (ended, continuation) = AsyncStream.makeStream()
        self.rejectStatus = rejectStatus
    }

    /// RFC 3264 §8: each changed SDP carries a higher o= version.
    static let version = Atomic<Int>(1)

    static func sdp(_ direction: String = "sendrecv") -> SessionBody {
        SessionBody(sdp: "v=0\r\no=- 1 \(version.add(1, ordering: .relaxed).newValue) IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=\(direction)\r\n")
    }

    func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision {
        if let rejectStatus { return .reject(status: rejectStatus, retryAfter: retryAfter) }
        return .answer(Self.sdp(), ringFirst: true)
    }

    func sessionModified(_ call: SIPCall, offer: SessionBody?) async -> SessionBody? {
        let text = String(decoding: offer?.bytes ?? [], as: UTF8.self)
        let direction = text.contains("a=sendonly") ? "recvonly" : (text.contains("a=inactive") ? "inactive" : "sendrecv")
        modifications.withLock { $0.append(direction) }
        return Self.sdp(direction)
    }

    func callEnded(_ call: SIPCall, reason: SIPCallEndReason) async {
        continuation.yield(reason)
    }

    /// Waits for `count` ended calls; returns the reasons seen (fewer if `timeout` passes first).
    func waitForEnded(_ count: Int, timeout: Duration) async -> [SIPCallEndReason] {
        await withTaskGroup(of: [SIPCallEndReason]?.self) { group in
            group.addTask {
                var seen: [SIPCallEndReason] = []
                for await r in self.ended {
                    seen.append(r)
                    if seen.count == count { break }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: timeout) // upper bound only; the normal path returns earlier
                return nil
            }
            var result: [SIPCallEndReason] = []
            for await r in group {
                if let r { result = r }
                group.cancelAll()
                break
            }
            return result
        }
    }
}

/// Runs a user agent on 127.0.0.1 with ephemeral ports for the duration of `body`.
func withUserAgent<T: Sendable>(
    delegate: any SIPUserAgentDelegate,
    timers: TransactionTimers = TransactionTimers(),
    registrar: RegistrarSettings? = nil,
    tcp: Bool = true,
    sourcePolicy: SIPSourcePolicy.Configuration = .unlimited, // interop peers call at 100 calls/s from one address
    _ body: @Sendable (SIPUserAgent, SIPTransportLayer) async throws -> T
) async throws -> T {
    var logger = Logger(label: "sip-test")
    logger.logLevel = .warning
    let configuration = SIPUserAgentConfiguration(
        transport: .init(host: "127.0.0.1", udpPort: 0, tcpPort: tcp ? 0 : nil, sourcePolicy: sourcePolicy), timers: timers,
        registrar: registrar, logger: logger
    )
    let ua = SIPUserAgent(configuration: configuration, delegate: delegate)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await ua.run()
            return nil
        }
        let transport = try await ua.boundTransport()
        let result = try await body(ua, transport)
        group.cancelAll()
        while let _ = try await group.next() {}
        return result
    }
}
