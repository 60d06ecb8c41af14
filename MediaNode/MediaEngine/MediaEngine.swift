import Logging
import NIOConcurrencyHelpers
import NIOCore
import RTPCore
import SDP

/// The media layer a call-control layer drives: creates RTP legs from SDP, and plays,
/// bridges, mixes and records them. Packet handling stays on each leg's event loop.
///
/// Create both legs of a call on the same loop (`colocatedWith:`) so relaying never hops threads.
/// Legs live on `MediaEventLoop`s (the engine's own packet loops, see there), not on NIO's.
public final class MediaEngine: Sendable {
    public let configuration: MediaEngineConfiguration
    public let eventLoopGroup: MediaEventLoopGroup
    let logger: Logger
    let negotiator: OfferAnswer
    private let ports: NIOLockedValueBox<RTPPortAllocator?>
    private let nextLegID = NIOLockedValueBox<UInt32>(1)
    private let sessionIDs = NIOLockedValueBox<UInt64>(UInt64.random(in: 1...(1 << 40)))
    let openLegs = NIOLockedValueBox<[UInt32: MediaLeg]>([:])
    /// Packet counts of the legs closed so far (MediaEngine+PacketTotals.swift).
    let closedLegTotals = NIOLockedValueBox(MediaPacketTotals())
    /// Decoded prompt cache.
    public let prompts: PromptLibrary
    /// The in-kernel relay for plain bridged calls; nil when disabled or unavailable.
    let kernelRelay: KernelRelay?

    /// `eventLoopGroup` defaults to one shared group with a loop per core.
    public init(configuration: MediaEngineConfiguration, eventLoopGroup: MediaEventLoopGroup = .shared,
                logger: Logger = Logger(label: "media-engine")) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.negotiator = OfferAnswer(profile: configuration.profile)
        self.ports = NIOLockedValueBox(configuration.portRange.map(RTPPortAllocator.init(range:)))
        self.prompts = PromptLibrary()
        self.kernelRelay = configuration.kernelRelay ? KernelRelay.forEngine(bindAddress: configuration.bindAddress, logger: logger) : nil
    }

    /// Whether bridged calls can be relayed in the kernel on this host (see `MediaEngineConfiguration.kernelRelay`).
    public var relaysInKernel: Bool { kernelRelay != nil }

    /// Answers an incoming offer: opens a leg and returns it with our SDP answer.
    /// Throws `SDPNegotiationError` (→ SIP 488) when nothing in the offer is acceptable.
    ///
    /// `signallingAddress`: where the offer's SIP request came from; RTP from that address may be
    /// latched as well as from the SDP address (NAT). `holdMediaUntilConfirmed`: send nothing
    /// (prompts wait at their start) until the peer's first RTP arrives or `MediaLeg.confirm()`
    /// is called on the ACK, so a forged SDP address cannot aim our audio at a third party.
    public func answer(
        offer: SessionDescription, direction: MediaDirection = .sendrecv, colocatedWith other: MediaLeg? = nil,
        signallingAddress: String? = nil, holdMediaUntilConfirmed: Bool = false
    ) async throws -> (leg: MediaLeg, answer: SessionDescription) {
        // Negotiate first so a 488 costs no socket.
        let (_, offered) = try negotiator.answer(to: offer, origin: makeOrigin(), port: 9, direction: direction)
        guard (1...65535).contains(offered.remotePort) else { throw MediaEngineError.invalidRemotePort }
        let leg = try await openLeg(on: loop(colocatedWith: other))
        do {
            try await leg.run { state in
                state.signallingAddress = signallingAddress
                state.sendGated = holdMediaUntilConfirmed
            }
            let origin = makeOrigin()
            let (answer, audio) = try negotiator.answer(to: offer, origin: origin, port: leg.localPort, direction: direction)
            try await leg.apply(audio, localDescription: answer)
            return (leg, answer)
        } catch {
            await leg.close()
            throw error
        }
    }

    /// Opens a leg for an outgoing call and returns our offer; pass the peer's answer to `MediaLeg.accept(answer:)`.
    public func offer(direction: MediaDirection = .sendrecv, colocatedWith other: MediaLeg? = nil) async throws -> (leg: MediaLeg, offer: SessionDescription) {
        let leg = try await openLeg(on: loop(colocatedWith: other))
        let offer = negotiator.makeOffer(origin: makeOrigin(), port: leg.localPort, direction: direction)
        leg.setPendingOffer(offer)
        return (leg, offer)
    }

    /// RTP ports of the configured range `allocate` can still hand out, and how many the range
    /// holds (one per leg; readiness and metrics). Nil when the OS picks ports (no range). A port
    /// another process held when drawn stays counted as taken.
    public var rtpPortUsage: (available: Int, capacity: Int)? {
        ports.withLockedValue { allocator in allocator.map { ($0.availableCount, $0.capacity) } }
    }

    /// Number of open legs (for heartbeats and drain).
    public var activeLegCount: Int { openLegs.withLockedValue { $0.count } }

    /// Closes every open leg (graceful shutdown after draining calls).
    public func closeAll() async {
        for leg in openLegs.withLockedValue({ Array($0.values) }) { await leg.close() }
    }

    /// Connects two legs so each hears the other. Both keep their own SSRC/sequence/timestamps.
    public func bridge(_ a: MediaLeg, _ b: MediaLeg) async throws -> MediaBridge {
        let bridge = MediaBridge(engine: self, a: a, b: b)
        try await bridge.connect()
        return bridge
    }

    /// A conference (3-way, supervisor monitor/whisper/barge) mixed on `colocatedWith`'s loop.
    public func conference(colocatedWith leg: MediaLeg? = nil) async throws -> MediaConference {
        try await MediaConference(engine: self, loop: leg?.eventLoop ?? eventLoopGroup.next())
    }

    // MARK: - Internals

    private func loop(colocatedWith other: MediaLeg?) -> MediaEventLoop {
        (other?.eventLoop as? MediaEventLoop) ?? eventLoopGroup.nextLoop()
    }

    func makeOrigin() -> Origin {
        let id = sessionIDs.withLockedValue { value -> UInt64 in
            value &+= 1
            return value
        }
        return Origin(sessionID: id, sessionVersion: 1, addressType: configuration.profile.addressType, address: configuration.profile.address)
    }

    private func openLeg(on loop: MediaEventLoop) async throws -> MediaLeg {
        let id = nextLegID.withLockedValue { value -> UInt32 in
            defer { value &+= 1 }
            return value
        }
        let (stream, continuation) = AsyncStream<MediaEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let configuration = self.configuration
        let kernelRelay = self.kernelRelay
        let (state, port, allocated) = try await loop.submit { [self] () -> (NIOLoopBound<LegState>, Int, Int?) in
            let (rtp, rtcp, allocated) = try bindSockets(on: loop)
            let state = LegState(
                id: id, loop: loop, configuration: configuration, rtpSocket: rtp, kernelRelay: kernelRelay, events: continuation)
            state.rtcpSocket = rtcp
            rtp.onDatagram = { [unowned state] buffer, source in state.receiveRTP(&buffer, from: source) }
            rtcp?.onDatagram = { [unowned state] buffer, source in state.receiveRTCP(buffer, from: source) }
            return (NIOLoopBound(state, eventLoop: loop), rtp.localPort, allocated)
        }.get()
        let leg = MediaLeg(id: id, engine: self, state: state, localPort: port, events: stream) { [ports, openLegs] in
            if let allocated { ports.withLockedValue { $0?.release(allocated) } }
            openLegs.withLockedValue { $0[id] = nil }
        }
        openLegs.withLockedValue { $0[id] = leg }
        return leg
    }

    /// Binds RTP (and RTCP on port + 1) from the range, skipping ports others hold; on the loop.
    private func bindSockets(on loop: MediaEventLoop) throws -> (MediaSocket, MediaSocket?, Int?) {
        let attempts = ports.withLockedValue { $0?.capacity ?? 1 }
        for _ in 0..<max(attempts, 1) {
            let candidate: Int? = ports.withLockedValue { $0 == nil ? 0 : $0!.allocate() }
            guard let port = candidate else { break }
            do {
                let rtp = try bind(on: loop, port: port)
                guard configuration.rtcpEnabled else { return (rtp, nil, port == 0 ? nil : port) }
                guard rtp.localPort < 65535 else {  // no port above for RTCP
                    rtp.close()
                    continue
                }
                do {
                    let rtcp = try bind(on: loop, port: rtp.localPort + 1)
                    return (rtp, rtcp, port == 0 ? nil : port)
                } catch {
                    rtp.close()
                    throw error
                }
            } catch {
                // Port taken by someone else: keep it marked and try the next (OS-chosen ports retry too).
                if port == 0 { continue }
                logger.debug("RTP port busy", metadata: ["port": "\(port)"])
            }
        }
        throw MediaEngineError.noPortAvailable
    }

    private func bind(on loop: MediaEventLoop, port: Int) throws -> MediaSocket {
        try MediaSocket(binding: try SocketAddress(ipAddress: configuration.bindAddress, port: port), on: loop, receiveBufferBytes: 1 << 20)
    }
}

/// Errors of the media engine (SDP negotiation failures are `SDPNegotiationError`).
public struct MediaEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case noPortAvailable
        case noPendingOffer
        case invalidRemotePort
        case invalidRemoteAddress
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The RTP port range is exhausted (→ SIP 503).
    public static let noPortAvailable = Self(.noPortAvailable, "no RTP port available")
    /// `accept(answer:)` without an outstanding offer.
    public static let noPendingOffer = Self(.noPendingOffer, "no offer outstanding")
    /// The SDP names an RTP port outside 1...65535 (→ SIP 488).
    public static let invalidRemotePort = Self(.invalidRemotePort, "the SDP's RTP port is not in 1...65535")
    /// The SDP names a multicast or broadcast address (→ SIP 488).
    public static let invalidRemoteAddress = Self(.invalidRemoteAddress, "the SDP's address is multicast or broadcast")

    public var description: String { "media engine: \(detail)" }
}
