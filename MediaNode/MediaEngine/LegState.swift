import NIOCore
import RTPCore
import SDP

/// One decoded inbound packet.
struct DecodedFrame: Sendable {
    var ssrc: UInt32
    var sequence: UInt16
    var timestamp: UInt32
    var samples: [Int16]
}

/// Decoded inbound audio delivered to recorders and conferences, on the leg's loop.
typealias AudioTap = (DecodedFrame) -> Void

/// Everything about one RTP leg. Confined to the leg's event loop: the packet path reads
/// and writes it without locks or hops (STYLE §6).
final class LegState {
    let id: UInt32
    let loop: any EventLoop
    let configuration: MediaEngineConfiguration
    let rtpSocket: MediaSocket
    var rtcpSocket: MediaSocket?
    let events: AsyncStream<MediaEvent>.Continuation

    /// Negotiated stream; nil for an outbound leg until the answer arrives.
    var audio: NegotiatedAudio? { didSet { kernelDependencyChanged() } }
    /// Where RTP goes: the SDP address, then (symmetric RTP) where packets come from.
    var remote: SocketAddress? { didSet { kernelDependencyChanged() } }
    var remoteRTCP: SocketAddress?
    /// The source this leg's RTP is accepted from (strict symmetric RTP, `LegState+Latching`).
    var latchedSource: SocketAddress?
    /// The RTP address of the last SDP.
    var sdpRemote: SocketAddress?
    /// Addresses a source may have to be latched: the SDP address and the SIP signalling address.
    var trustedAddresses: Set<String> = []
    /// Where the SIP peer of this leg signals from (set by call control).
    var signallingAddress: String?
    /// A NATted leg may latch any address, within the window only.
    var anySourceDuringWindow = false
    /// Until when a new source may be latched; set by every offer/answer.
    var latchDeadline: NIODeadline
    /// A new SSRC from the latched source on probation.
    var ssrcCandidate: (ssrc: UInt32, nextSequence: UInt16, count: Int)?
    /// RTP/RTCP packets dropped because they were not the peer's.
    var foreignPackets: UInt64 = 0
    /// No media is sent until the peer proves it is there (its first RTP, or the ACK through
    /// `confirm`): an INVITE with a forged SDP address must not aim our audio at a third party.
    var sendGated = false
    var outgoing: OutgoingRTPStream
    var statistics = RTPReceiveStatistics()
    var remoteSSRC: UInt32?
    var packetsReceived: UInt32 = 0
    var octetsReceived: UInt64 = 0
    var lastReceive: NIODeadline
    var inactivityReported = false
    var telephoneEvents = TelephoneEventReceiver()
    /// One key press reported by two paths (RFC 4733 and INFO, or in-band) is delivered once.
    var dtmfSources = DTMFSourceMerger<DTMFSource>()
    /// The duplicate press whose key-up is dropped too, per source.
    var droppedDTMF: [DTMFSource: DTMFDigit] = [:]
    var inBandDetector: InBandDTMFDetector? { didSet { if kernelTarget != nil { reclaimFromKernel() } } }
    /// Call control's choice for in-band detection; nil follows the configuration.
    var inBandOverride: Bool?
    var roundTripMs: Double?
    var lastSenderReport: (compact: UInt32, at: NIODeadline)?

    // Source selection for what this leg sends: playback > conference mixer > bridged peer.
    /// The bridged peer whose inbound audio we send.
    var peer: NIOLoopBound<LegState>? { didSet { kernelDependencyChanged() } }
    var peerOnSameLoop = false
    /// When false (hold), our inbound audio is not relayed to the peer.
    var relayInbound = true { didSet { if kernelTarget != nil { reclaimFromKernel() } } }
    /// Set while a conference feeds this leg.
    var conferenceFed = false { didSet { kernelFeeder?.reclaimFromKernel() } }
    var playback: (id: PlaybackID, queue: PlaybackQueue, bargeIn: Bool, timestamp: UInt32)? {
        didSet { kernelFeeder?.reclaimFromKernel() }
    }
    var playbackTicker: PacedTicker?
    var nextPlaybackID: UInt32 = 1
    var sendingDTMF = false { didSet { kernelFeeder?.reclaimFromKernel() } }
    var taps: [UInt32: AudioTap] = [:] { didSet { if kernelTarget != nil { reclaimFromKernel() } } }
    var timers: [PacedTicker] = []

    // In-kernel relay (KernelRelay, LegState+Kernel.swift).
    let kernelRelay: KernelRelay?
    /// Set while the kernel relays our inbound RTP as this leg's stream.
    var kernelTarget: LegState?
    /// The leg whose inbound RTP the kernel sends as ours.
    weak var kernelFeeder: LegState?
    /// Audio packets relayed in a row by the loop that the kernel could have relayed; negative: backing off.
    var relaysTowardKernel = 0
    /// `packetsReceived` less the statistics' count when handed to the kernel.
    var kernelPacketBase: UInt32 = 0
    var kernelReceivedAtHandover: UInt32 = 0
    /// Our inbound packets the kernel relayed, up to the last take-back.
    var kernelRelayedPackets: UInt64 = 0
    /// Our inbound packets this loop relayed to the peer (metrics).
    var packetsRelayedByLoop: UInt64 = 0
    /// Set once this leg's counts went into the engine's closed-leg totals (MediaEngine+PacketTotals).
    var packetTotalsFolded = false

    init(
        id: UInt32, loop: any EventLoop, configuration: MediaEngineConfiguration, rtpSocket: MediaSocket,
        kernelRelay: KernelRelay? = nil, events: AsyncStream<MediaEvent>.Continuation
    ) {
        self.kernelRelay = kernelRelay
        self.id = id
        self.loop = loop
        self.configuration = configuration
        self.rtpSocket = rtpSocket
        self.events = events
        var rng = SystemRandomNumberGenerator()
        outgoing = OutgoingRTPStream(ssrc: rng.next(), initialSequence: rng.next(), initialTimestamp: rng.next())
        lastReceive = .now()
        latchDeadline = lastReceive
    }

    /// Applies the negotiated stream (initial answer or a re-INVITE for hold/resume).
    func apply(_ negotiated: NegotiatedAudio) throws {
        // Ports come from the wire: 1...65535 for RTP (0 means a rejected stream, handled by the
        // negotiator); never arithmetic on them here.
        guard (1...65535).contains(negotiated.remotePort) else { throw MediaEngineError.invalidRemotePort }
        audio = negotiated
        if let address = negotiated.remoteAddress {
            let rtp = try SocketAddress(ipAddress: address, port: negotiated.remotePort)
            // Media goes to one peer: a multicast or broadcast c= would aim it at many (reflection).
            guard !Self.isGroupAddress(rtp) else { throw MediaEngineError.invalidRemoteAddress }
            // Keep a latched symmetric address unless the SDP moved the stream elsewhere (a NATted
            // phone's re-INVITE repeats its private address: the latch stays).
            if remote == nil || sdpRemote != rtp {
                remote = rtp
                latchedSource = nil
            }
            sdpRemote = rtp
            let rtcpPort = negotiated.remoteRTCPPort  // a=rtcp (RFC 3605) or the port above; 0: none
            remoteRTCP = (1...65535).contains(rtcpPort) ? try SocketAddress(ipAddress: address, port: rtcpPort) : nil
        }
        updateInBandDetector()
        lastReceive = .now()
        openLatchWindow(sdpAddress: negotiated.remoteAddress, now: lastReceive)
        inactivityReported = false
    }

    /// Multicast (224/4, ff00::/8) or the IPv4 broadcast address.
    static func isGroupAddress(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4):
            let host = UInt32(bigEndian: v4.address.sin_addr.s_addr)
            return host >> 28 == 0xE || host == 0xFFFF_FFFF
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { $0.first == 0xFF }
        default:
            return false
        }
    }

    var encoding: AudioEncoding { audio?.codec == .pcma ? .alaw : .ulaw }

    /// Runs the Goertzel detector when forced on, or by default when the peer has no telephone-event.
    func updateInBandDetector() {
        let automatic = audio?.telephoneEventPayloadType == nil && configuration.inBandDTMFWhenNoTelephoneEvent
        let wanted = inBandOverride ?? automatic
        inBandDetector = wanted ? (inBandDetector ?? InBandDTMFDetector()) : nil
    }

    // MARK: - Receive path (RFC 3550 §5.1)

    /// One datagram from the RTP socket; `buffer` is the socket's receive buffer, lent for the
    /// call so the relay can rewrite it in place (a tap or another loop gets its own copy).
    func receiveRTP(_ buffer: inout ByteBuffer, from source: SocketAddress) {
        let base = buffer.readerIndex
        guard buffer.readableBytes >= RTPHeader.fixedSize, let first = buffer.getInteger(at: base, as: UInt8.self),
            first >> 6 == 2, let audio, let second = buffer.getInteger(at: base + 1, as: UInt8.self),
            let sequence = buffer.getInteger(at: base + 2, as: UInt16.self),
            let timestamp = buffer.getInteger(at: base + 4, as: UInt32.self),
            let ssrc = buffer.getInteger(at: base + 8, as: UInt32.self)
        else { return }
        let now = NIODeadline.now()
        // Only the peer's packets count, and a foreign one must not make the kernel hand back.
        guard admitRTP(from: source, ssrc: ssrc, sequence: sequence, now: now) else { return }
        sendGated = false
        // The kernel passed this one up (a telephone-event, a new SSRC or source, a jump): take
        // the direction back first, so counters and the peer's sequence carry on from the kernel's.
        // A packet of the same stream that was already queued when the kernel took over is
        // relayed here and the direction handed straight back (the queue drains, nothing is
        // reordered); anything else starts the count towards the kernel again.
        if kernelTarget != nil {
            reclaimFromKernel()
            relaysTowardKernel = Self.relaysBeforeKernel - 1
        }
        lastReceive = now
        packetsReceived &+= 1
        octetsReceived &+= UInt64(buffer.readableBytes)
        statistics.record(sequence: sequence, timestamp: timestamp, arrival: UInt32(truncatingIfNeeded: sampleClock(now)))
        let payloadType = second & 0x7F

        let isEvent = payloadType == audio.telephoneEventPayloadType
        if isEvent {
            receiveTelephoneEvent(buffer, timestamp: timestamp)
        } else {
            guard payloadType == audio.payloadType, audio.direction.receives else { return }
        }
        if !isEvent, !taps.isEmpty || inBandDetector != nil, let payload = payloadBytes(buffer) {
            let samples = encoding.decode(payload)
            if inBandDetector != nil { handle(inBandDetector!.process(samples), source: .inBand) }
            if !taps.isEmpty {
                let frame = DecodedFrame(ssrc: ssrc, sequence: sequence, timestamp: timestamp, samples: samples)
                for tap in taps.values { tap(frame) }
            }
        }
        guard relayInbound, let peer else { return }
        packetsRelayedByLoop &+= 1
        let marker = second & 0x80 != 0
        // Telephone-events are relayed too (re-typed to the peer's payload type), so a caller's
        // keys reach an IVR or phone behind the bridge; they share the audio's timestamp space.
        let kind: RelayedPayload = isEvent ? .telephoneEvent : .audio(audio.codec)
        let fromID = id
        if peerOnSameLoop {
            peer.value.sendRelayed(&buffer, fromLeg: fromID, ssrc: ssrc, timestamp: timestamp, marker: marker, kind: kind, now: now)
            if kernelRelay != nil { considerKernel(for: peer.value, ssrc: ssrc, source: source, isEvent: isEvent, now: now) }
        } else {
            let packet = buffer
            peer.eventLoop.execute {
                var copy = packet
                peer.value.sendRelayed(&copy, fromLeg: fromID, ssrc: ssrc, timestamp: timestamp, marker: marker, kind: kind, now: .now())
            }
        }
    }

    /// Payload bytes after CSRCs/extension, without padding (RFC 3550 §5.1, §5.3.1).
    func payloadBytes(_ buffer: ByteBuffer) -> ByteBufferView? {
        let base = buffer.readerIndex
        guard let first = buffer.getInteger(at: base, as: UInt8.self) else { return nil }
        var offset = RTPHeader.fixedSize + 4 * Int(first & 0x0F)
        if first & 0x10 != 0 {
            guard let words = buffer.getInteger(at: base + offset + 2, as: UInt16.self) else { return nil }
            offset += 4 + 4 * Int(words)
        }
        var length = buffer.readableBytes - offset
        if first & 0x20 != 0, let pad = buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) { length -= Int(pad) }
        guard length > 0 else { return nil }
        return buffer.viewBytes(at: base + offset, length: length)
    }

    private func receiveTelephoneEvent(_ buffer: ByteBuffer, timestamp: UInt32) {
        guard let payload = payloadBytes(buffer) else { return }
        for (event, start) in TelephoneEvent.blocks(in: payload, timestamp: timestamp) {
            handle(telephoneEvents.receive(event, timestamp: start), source: .rfc4733)
        }
    }

    func handle(_ dtmf: [DTMFEvent], source: DTMFSource) {
        for event in dtmf {
            switch event {
            case .began(let digit, _):
                guard dtmfSources.admit(digit, from: source, now: NIODeadline.now().uptimeNanoseconds) else {
                    droppedDTMF[source] = digit
                    continue
                }
                droppedDTMF[source] = nil
                events.yield(.dtmf(digit, source: source))
                if let playback, playback.bargeIn { stopPlayback() }  // barge-in
            case .ended(let digit, let duration):
                if droppedDTMF[source] == digit {
                    droppedDTMF[source] = nil
                    continue
                }
                events.yield(.dtmfEnded(digit, durationMs: Int(duration) / 8))
            }
        }
    }

    // MARK: - Timers

    /// Starts RTCP reports and the inactivity check.
    func startTimers() {
        let checkEvery = min(TimeAmount.seconds(1), .nanoseconds(configuration.inactivityTimeout.nanoseconds / 4))
        let check = PacedTicker(loop: loop, interval: checkEvery) { [unowned self] in checkInactivity() }
        check.startAligned()
        timers.append(check)
        if rtcpSocket != nil {
            let rtcp = PacedTicker(loop: loop, interval: configuration.rtcpInterval) { [unowned self] in sendRTCPReport() }
            timers.append(rtcp)
            loop.assumeIsolated().scheduleTask(in: .milliseconds(500)) { [weak rtcp] in rtcp?.start() }
        }
    }

    private func checkInactivity() {
        guard let audio, audio.direction.receives, !inactivityReported else { return }
        if NIODeadline.now() - lastReceive > configuration.inactivityTimeout { syncFromKernel() }
        if NIODeadline.now() - lastReceive > configuration.inactivityTimeout {
            inactivityReported = true
            events.yield(.inactivityTimeout)
        }
    }

    func close() {
        kernelDependencyChanged()
        for timer in timers { timer.stop() }
        timers.removeAll()
        playbackTicker?.stop()
        playbackTicker = nil
        if let playback { events.yield(.playbackStopped(playback.id)) }
        playback = nil
        if let peer {
            // Unlink the bridged partner so it stops relaying to a closed socket.
            let me = id
            onLoop(peer.eventLoop) { if peer.value.peer?.value.id == me { peer.value.peer = nil } }
        }
        peer = nil
        taps.removeAll()
        if let remoteRTCP, let rtcpSocket {
            var buffer = rtcpSocket.allocator.buffer(capacity: 64)
            RTCPPacket.bye(ssrcs: [outgoing.ssrc]).encode(into: &buffer)
            rtcpSocket.send(buffer, to: remoteRTCP)
        }
        events.finish()
    }

    /// Quality figures for the CDR.
    var quality: MediaQualityStats {
        syncFromKernel()
        let jitterMs = statistics.jitter / 8
        let delay = (roundTripMs ?? 0) / 2
        return MediaQualityStats(
            codec: audio?.codec.rawValue ?? "", packetsSent: outgoing.packetsSent, packetsReceived: packetsReceived,
            octetsReceived: octetsReceived, packetsLost: statistics.cumulativeLost, lossRatio: statistics.lossRatio,
            jitterMs: jitterMs, roundTripMs: roundTripMs,
            mos: EModel.mos(oneWayDelayMs: delay, jitterMs: jitterMs, lossRatio: statistics.lossRatio))
    }
}
