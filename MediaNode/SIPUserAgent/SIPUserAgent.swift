import Logging
import NIOCore
import NIOPosix
import SIPAuth
import SIPDialog
import SIPMessage
import SIPTransaction
import SIPTransport

/// The SIP user agent core of a media node (RFC 3261 §8, §12-§15, §10 registrar): owns the
/// transport, the transaction layer, dialogs and the registrar; calls the application through
/// `SIPUserAgentDelegate`. Run it with `run()` (a long-lived service); stop by cancelling.
public actor SIPUserAgent {
    enum Event: Sendable {
        case inbound(SIPInbound)
        case transactionTimer(TransactionKey, TransactionTimer)
        case dialogTimer(DialogID, DialogTimer)
        case transportFailed(TransactionKey)
        /// The source policy banned this address: its unconfirmed dialogs end (SIPUserAgent+Incoming).
        case sourceBanned(String)
        /// Work for the application (delegate calls), run as a child of `run()`'s task group.
        case spawn(@Sendable () async -> Void)
    }

    enum DialogTimer: Hashable, Sendable { case retransmit2xx, sessionRefresh, sessionExpiry }

    enum TimerKey: Hashable { case transaction(TransactionKey, TransactionTimer), dialog(DialogID, DialogTimer) }

    struct CallState {
        var dialog: Dialog
        let call: SIPCall
        var peer: SIPEndpoint
        var inviteKey: TransactionKey?
        var unackedOK: SIPResponse?
        var retransmitInterval: Duration = .zero
        var retransmitElapsed: Duration = .zero
        var ack: SIPRequest?
        var localBody: SessionBody?
        var session: SessionTimer?
        var established = false
        var reinviteInProgress = false
        var ending = false
        /// The source address counted as an unconfirmed dialog (SIPSourcePolicy) until the ACK or the end.
        var unconfirmedFrom: String?
    }

    public let configuration: SIPUserAgentConfiguration
    let delegate: any SIPUserAgentDelegate
    let group: any EventLoopGroup
    var logger: Logger { configuration.logger }

    var transport: SIPTransportLayer?
    var layer: TransactionLayer
    let events: AsyncStream<Event>
    let continuation: AsyncStream<Event>.Continuation
    var timers: [TimerKey: Scheduled<Void>] = [:]
    var serverSources: [TransactionKey: SIPEndpoint] = [:]
    var clientDestinations: [TransactionKey: SIPEndpoint] = [:]
    var waiters: [TransactionKey: CheckedContinuation<SIPResponse, any Error>] = [:]
    var calls: [DialogID: CallState] = [:]
    var pendingInvites: [TransactionKey: SIPCall] = [:]
    var registrar: Registrar
    var authenticator: DigestAuthenticator
    var throttle: AuthFailureThrottle
    /// Per-source limits and bans, shared with the transport (which drops banned sources unparsed).
    let sourceGuard: SIPSourceGuard
    var boundWaiters: [CheckedContinuation<SIPTransportLayer, any Error>] = []
    let clockOrigin = ContinuousClock.now
    /// Calls completed since start (for tests and metrics).
    public internal(set) var completedCalls = 0
    /// Set once `run()` is cancelled: new requests fail at once instead of waiting for a loop that has ended.
    var stopping = false
    /// Set while the node takes no new calls: OPTIONS is answered 503 with this Retry-After.
    var unavailableRetryAfter: Int?
    /// INVITEs of ours without a final response, for CANCEL (SIPUserAgent+Cancel.swift).
    var outgoingInvites: [TransactionKey: OutgoingInvite] = [:]

    public init(configuration: SIPUserAgentConfiguration, delegate: any SIPUserAgentDelegate,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.delegate = delegate
        self.group = group
        self.layer = TransactionLayer(timers: configuration.timers)
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        registrar = Registrar(configuration: configuration.registrar?.registrar ?? .init())
        authenticator = DigestAuthenticator(configuration: configuration.registrar?.digest ?? .init())
        throttle = AuthFailureThrottle(maxFailures: configuration.registrar?.maxFailuresPerMinute ?? 20, window: 60)
        let logger = configuration.logger
        let continuation = self.continuation
        sourceGuard = SIPSourceGuard(configuration: configuration.transport.sourcePolicy) { address, reason in
            logger.warning("SIP source banned", metadata: ["source": "\(address)", "reason": "\(reason.rawValue)",
                                                           "seconds": "\(Int(configuration.transport.sourcePolicy.banSeconds))"])
            continuation.yield(.sourceBanned(address))
        }
    }

    /// Binds the listeners and processes messages until the task is cancelled.
    public func run() async throws {
        let continuation = self.continuation
        let transport: SIPTransportLayer
        do {
            transport = try await SIPTransportLayer.bind(configuration: configuration.transport, group: group,
                                                         sourceGuard: sourceGuard) { inbound in
                continuation.yield(.inbound(inbound))
            }
        } catch {
            for w in boundWaiters { w.resume(throwing: error) }
            boundWaiters.removeAll()
            throw error
        }
        self.transport = transport
        for w in boundWaiters { w.resume(returning: transport) }
        boundWaiters.removeAll()
        logger.info("SIP listening", metadata: ["udp": "\(transport.udpAddress)", "tcp": "\(transport.tcpAddress.map { "\($0)" } ?? "-")"])
        await withDiscardingTaskGroup { group in
            for await event in events {
                if case .spawn(let work) = event {
                    group.addTask { await work() }
                } else {
                    handle(event)
                }
            }
            // Cancelled: fail what spawned work is waiting on *before* the group waits for that work,
            // or a call waiting for a response (a BYE, a re-INVITE) would keep shutdown waiting forever.
            stopping = true
            for (_, t) in timers { t.cancel() }
            timers.removeAll()
            for (_, w) in waiters { w.resume(throwing: SIPRequestFailure(statusCode: 503, reasonPhrase: "Shutting down")) }
            waiters.removeAll()
        }
        await transport.shutdown()
    }

    /// Waits until the listeners are bound and returns the transport (addresses for tests and Contact).
    public func boundTransport() async throws -> SIPTransportLayer {
        if let transport { return transport }
        return try await withCheckedThrowingContinuation { boundWaiters.append($0) }
    }

    /// Seconds since start, the clock of the registrar and nonces.
    var nowSeconds: UInt64 { UInt64((ContinuousClock.now - clockOrigin).components.seconds) + 1 }

    func handle(_ event: Event) {
        switch event {
        case .inbound(let inbound):
            switch inbound.message {
            case .request(let r):
                perform(layer.receive(r, reliable: inbound.source.transport.isReliable), source: inbound.source)
            case .response(let r):
                perform(layer.receive(r), source: inbound.source)
            }
        case .transactionTimer(let key, let timer):
            timers[.transaction(key, timer)] = nil
            perform(layer.timerFired(timer, for: key), source: nil)
        case .transportFailed(let key):
            perform(layer.transportFailed(key), source: nil)
        case .sourceBanned(let address):
            endUnconfirmedDialogs(from: address)
        case .dialogTimer(let id, let timer):
            timers[.dialog(id, timer)] = nil
            dialogTimerFired(id, timer)
        case .spawn:
            break
        }
    }

    /// Performs transaction-layer events.
    func perform(_ events: [TransactionLayer.Event], source: SIPEndpoint?) {
        for e in events {
            switch e {
            case .send(let message, let key):
                send(message, key: key)
            case .startTimer(let key, let timer, let d):
                schedule(.transaction(key, timer), after: d, event: .transactionTimer(key, timer))
            case .cancelTimer(let key, let timer):
                timers.removeValue(forKey: .transaction(key, timer))?.cancel()
            case .request(let request, let key):
                if let source { serverSources[key] = source }
                receiveRequest(request, key: key, source: source ?? serverSources[key]!)
            case .ackWithoutTransaction(let ack):
                receiveAck(ack)
            case .cancelled(let key):
                cancelPendingInvite(key)
            case .response(let response, let key):
                if key.method == .invite { outgoingInviteProgress(key, status: response.statusCode) }
                if response.isFinal, let waiter = waiters.removeValue(forKey: key) {
                    waiter.resume(returning: response)
                } else if response.isSuccess {
                    resendAckIfNeeded(response) // a retransmitted 2xx while the client INVITE is Accepted
                }
            case .strayResponse(let response):
                resendAckIfNeeded(response)
            case .timedOut(let key), .transportError(let key):
                let failed = { if case .timedOut = e { return 408 } else { return 503 } }()
                if key.method == .invite { outgoingInviteProgress(key, status: nil) }
                if let waiter = waiters.removeValue(forKey: key) {
                    waiter.resume(throwing: SIPRequestFailure(statusCode: failed, reasonPhrase: SIPResponse.defaultReason(failed)))
                }
                if key.method == .invite, let call = pendingInvites.removeValue(forKey: key) {
                    endCall(call.id, reason: .transportFailure)
                }
            case .terminated(let key):
                for t in TransactionTimer.allCases { timers.removeValue(forKey: .transaction(key, t))?.cancel() }
                serverSources[key] = nil
                clientDestinations[key] = nil
                pendingInvites[key] = nil
            }
        }
    }

    func send(_ message: SIPMessage, key: TransactionKey) {
        guard let transport else { return }
        let destination: SIPEndpoint?
        switch message {
        case .response(let r):
            destination = serverSources[key].map { ResponseRouting.destination(for: r, transport: $0.transport, requestSource: $0.address) }
        case .request:
            destination = clientDestinations[key]
        }
        guard let destination else { return }
        let continuation = self.continuation
        transport.send(message, to: destination) { _ in continuation.yield(.transportFailed(key)) }
    }

    func sendDirect(_ message: SIPMessage, to destination: SIPEndpoint) {
        transport?.send(message, to: destination)
    }

    func schedule(_ key: TimerKey, after d: Duration, event: Event) {
        guard !stopping else { return }
        timers.removeValue(forKey: key)?.cancel()
        let (s, atto) = d.components
        let amount = TimeAmount.nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
        let continuation = self.continuation
        timers[key] = group.next().scheduleTask(in: amount) { continuation.yield(event) }
    }

    /// Runs application work as a child task of `run()` (structured: it ends with the user agent).
    func spawn(_ work: @escaping @Sendable () async -> Void) {
        continuation.yield(.spawn(work))
    }

    func cancelTimer(_ key: TimerKey) {
        timers.removeValue(forKey: key)?.cancel()
    }

    /// Random token for tags, branches and Call-IDs.
    static func token() -> String {
        String(UInt64.random(in: 1...UInt64.max), radix: 36) + String(UInt32.random(in: 1...UInt32.max), radix: 36)
    }

    /// Number of calls in progress.
    public var activeCallCount: Int { calls.count }

    /// Registrar bindings of `aor` (e.g. "sip:1001@tenant.example.com"), best q first.
    public func bindings(for aor: String) -> [RegistrarBinding] {
        registrar.bindings(for: aor, now: nowSeconds)
    }
}
