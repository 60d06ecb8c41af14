import NIOConcurrencyHelpers
import NIOCore
import RTPCore
import SDP

/// One RTP endpoint of a call (caller, agent, supervisor). Thread-safe handle: every
/// command hops once to the leg's event loop; packets never leave it.
public final class MediaLeg: Sendable {
    /// Engine-unique leg number.
    public let id: UInt32
    /// The local RTP port in our SDP.
    public let localPort: Int
    /// DTMF, playback and liveness events, in order. Finishes when the leg closes.
    public let events: AsyncStream<MediaEvent>
    let state: NIOLoopBound<LegState>
    private let engine: MediaEngine
    private let session: NIOLockedValueBox<Session>
    private let onClose: @Sendable () -> Void

    struct Session {
        var local: SessionDescription?
        var pendingOffer: SessionDescription?
        var closed = false
    }

    init(id: UInt32, engine: MediaEngine, state: NIOLoopBound<LegState>, localPort: Int, events: AsyncStream<MediaEvent>,
         onClose: @escaping @Sendable () -> Void) {
        self.id = id
        self.engine = engine
        self.state = state
        self.localPort = localPort
        self.events = events
        self.onClose = onClose
        self.session = NIOLockedValueBox(Session())
    }

    /// The loop this leg's packets are handled on.
    public var eventLoop: any EventLoop { state.eventLoop }

    func run<T: Sendable>(_ body: @escaping @Sendable (LegState) throws -> T) async throws -> T {
        try await eventLoop.submit { try body(self.state.value) }.get()
    }

    func apply(_ audio: NegotiatedAudio, localDescription: SessionDescription) async throws {
        session.withLockedValue { $0.local = localDescription }
        try await run { state in
            try state.apply(audio)
            if state.timers.isEmpty { state.startTimers() }
        }
    }

    func setPendingOffer(_ offer: SessionDescription) {
        session.withLockedValue {
            $0.pendingOffer = offer
            $0.local = offer
        }
    }

    // MARK: - Offer/answer

    /// Applies the peer's answer to our offer (initial or re-INVITE).
    /// `signallingAddress`: where the answer's SIP peer signals from (RTP from there may be latched).
    public func accept(answer: SessionDescription, signallingAddress: String? = nil) async throws {
        guard let offer = session.withLockedValue({ $0.pendingOffer }) else { throw MediaEngineError.noPendingOffer }
        let audio = try engine.negotiator.accept(answer: answer, to: offer)
        session.withLockedValue { $0.pendingOffer = nil }
        if let signallingAddress { try await run { $0.signallingAddress = signallingAddress } }
        try await apply(audio, localDescription: offer)
    }

    /// The peer confirmed the session (the ACK of our 2xx): media held by
    /// `holdMediaUntilConfirmed` may flow.
    public func confirm() async {
        try? await run { $0.sendGated = false }
    }

    /// Lets this leg latch RTP from any address within the latch window (a peer known to be
    /// behind a NAT that maps media and signalling to different addresses).
    public func allowAnySourceDuringLatchWindow(_ allowed: Bool) async throws {
        try await run { $0.anySourceDuringWindow = allowed }
    }

    /// RTP/RTCP packets dropped because they did not come from the peer (strict latching).
    public func foreignPacketCount() async throws -> UInt64 {
        try await run { $0.foreignPackets }
    }

    /// Answers a re-INVITE or UPDATE offer (the peer holds or resumes, changes codec, moves its
    /// address, or only refreshes the session). Our `o=` version is incremented when the answer
    /// changes, and kept when it does not (a session refresh, RFC 3264 §8, RFC 4028 §7.4);
    /// the stream is re-applied only when the negotiated audio changed.
    public func update(offer: SessionDescription, direction: MediaDirection = .sendrecv) async throws -> SessionDescription {
        let origin = nextOrigin()
        var (answer, audio) = try engine.negotiator.answer(to: offer, origin: origin, port: localPort, direction: direction)
        if let current = session.withLockedValue({ $0.local }), current.media == answer.media, current.connection == answer.connection {
            answer = current
        }
        if try await run({ $0.audio }) != audio {
            try await apply(audio, localDescription: answer)
        } else {
            session.withLockedValue { $0.local = answer }
        }
        return answer
    }

    /// A new offer from us (e.g. `.sendonly` to hold the peer); follow with `accept(answer:)`.
    public func makeOffer(direction: MediaDirection = .sendrecv) -> SessionDescription {
        let offer = engine.negotiator.makeOffer(origin: nextOrigin(), port: localPort, direction: direction)
        session.withLockedValue { $0.pendingOffer = offer }
        return offer
    }

    private func nextOrigin() -> Origin {
        session.withLockedValue { s in
            var origin = s.local?.origin ?? engine.makeOrigin()
            origin.sessionVersion += 1
            return origin
        }
    }

    /// The negotiated stream (nil before the answer).
    public func negotiatedAudio() async throws -> NegotiatedAudio? {
        try await run { $0.audio }
    }

    // MARK: - Media commands

    /// Plays a list of prompts/tones paced at the negotiated ptime. With `loop`, repeats
    /// (music on hold) until stopped. With `bargeIn`, a DTMF key stops it.
    @discardableResult
    public func play(_ items: [PlaybackItem], loop: Bool = false, bargeIn: Bool = true) async throws -> PlaybackID {
        try await run { $0.play(items, loops: loop, bargeIn: bargeIn) }
    }

    /// Records what this leg receives to a mono WAV file (a voicemail), on the call's timeline.
    public func record(to path: String) async throws -> CallRecording {
        try await CallRecording.start(path: path, layout: .mixedMono, legs: [self], jitterDepth: engine.configuration.jitterBufferDepth)
    }

    /// Stops the current playback (the leg returns to its bridge, if any).
    public func stopPlayback() async throws {
        try await run { $0.stopPlayback() }
    }

    /// Sends a key press as RFC 4733 events. Returns false when telephone-event was not negotiated.
    @discardableResult
    public func sendDTMF(_ digit: DTMFDigit, durationMs: Int = 100) async throws -> Bool {
        try await run { $0.sendDTMF(digit, durationMs: durationMs) }
    }

    /// A key press that reached call control outside RTP (a SIP INFO body): reported like an RFC 4733
    /// key (`dtmf`, barge-in, `dtmfEnded`), and dropped when the same press already came as RTP.
    public func receiveDTMF(_ digit: DTMFDigit, durationMs: Int, source: DTMFSource) async throws {
        let samples = UInt32(clamping: min(max(durationMs, 0), 60_000) * 8)
        try await run { $0.handle([.began(digit, timestamp: 0), .ended(digit, duration: samples)], source: source) }
    }

    /// Turns in-band (Goertzel) DTMF detection on or off for this leg; nil restores the default
    /// (on when the peer did not negotiate telephone-event). Plain bridged calls need none.
    public func setInBandDTMFDetection(_ enabled: Bool?) async throws {
        try await run { state in
            state.inBandOverride = enabled
            state.updateInBandDetector()
        }
    }

    /// Packets, loss, jitter and MOS for the CDR.
    public func statistics() async throws -> MediaQualityStats {
        try await run { $0.quality }
    }

    /// The address RTP is sent to (after symmetric-RTP latching).
    public func remoteAddress() async throws -> SocketAddress? {
        try await run { $0.remote }
    }

    /// Stops everything, sends RTCP BYE, closes the sockets and releases the port.
    public func close() async {
        let wasClosed = session.withLockedValue { s -> Bool in
            defer { s.closed = true }
            return s.closed
        }
        guard !wasClosed else { return }
        try? await run { [engine] state in
            engine.fold(closing: state)
            state.close()
            state.rtpSocket.close()
            state.rtcpSocket?.close()
        }
        onClose()
    }
}
