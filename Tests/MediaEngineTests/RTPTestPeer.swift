import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RTPCore
import SDP
import Testing

/// A plain UDP endpoint on 127.0.0.1:0 that records what arrives and sends paced RTP.
final class RTPTestPeer: Sendable {
    struct Received: Sendable {
        var packets: [RTPPacket] = []
        var rtcp: [[RTCPPacket]] = []
    }

    let channel: any Channel
    let rtcpChannel: any Channel
    let port: Int
    private let state = WaitableState(Received())

    private init(channel: any Channel, rtcpChannel: any Channel) {
        self.channel = channel
        self.rtcpChannel = rtcpChannel
        self.port = channel.localAddress!.port!
    }

    static func start(host: String = "127.0.0.1") async throws -> RTPTestPeer {
        // RTP on an even port, RTCP on the next one: retry until the OS gives a usable pair.
        for _ in 0..<50 {
            let collector = Collector()
            let rtp = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(collector) } }
                .bind(host: host, port: 0).get()
            let rtcpCollector = Collector()
            if let rtcp = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer({ ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(rtcpCollector) } })
                .bind(host: host, port: rtp.localAddress!.port! + 1).get() {
                let peer = RTPTestPeer(channel: rtp, rtcpChannel: rtcp)
                collector.onDatagram = { [weak peer] env in peer?.receive(env) }
                rtcpCollector.onDatagram = { [weak peer] env in peer?.receiveRTCP(env) }
                return peer
            }
            try await rtp.close()
        }
        throw Timeout(what: "a free port pair")
    }

    func close() async {
        try? await channel.close()
        try? await rtcpChannel.close()
    }

    /// An SDP offer describing this peer.
    func offer(codecs: [AudioCodec] = [.pcmu, .pcma], telephoneEvent: Bool = true, direction: MediaDirection = .sendrecv) -> SessionDescription {
        OfferAnswer(profile: LocalMediaProfile(address: "127.0.0.1", codecs: codecs, telephoneEventPayloadType: telephoneEvent ? 101 : nil))
            .makeOffer(origin: Origin(sessionID: UInt64(port), sessionVersion: 1, address: "127.0.0.1"), port: port, direction: direction)
    }

    private func receive(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard let packet = try? RTPPacket(decoding: envelope.data) else { return }
        state.update { $0.packets.append(packet) }
    }

    private func receiveRTCP(_ envelope: AddressedEnvelope<ByteBuffer>) {
        guard let packets = try? RTCPPacket.decodeCompound(envelope.data) else { return }
        state.update { $0.rtcp.append(packets) }
    }

    var packets: [RTPPacket] { state.value.packets }
    var rtcpReports: [[RTCPPacket]] { state.value.rtcp }

    /// Waits (with a deadline, not a sleep) until `condition` holds on received packets.
    func wait(for what: String, seconds: Double = 5, _ condition: @escaping @Sendable ([RTPPacket], [[RTCPPacket]]) -> Bool) async throws {
        try await state.wait(for: what, seconds: seconds) { condition($0.packets, $0.rtcp) }
    }

    /// Waits for `count` packets in total.
    @discardableResult
    func waitForPackets(_ count: Int, seconds: Double = 5) async throws -> [RTPPacket] {
        try await wait(for: "\(count) packets", seconds: seconds) { p, _ in p.count >= count }
        return packets
    }

    /// Sends one datagram to `port` on loopback.
    func send(_ packet: RTPPacket, to port: Int) {
        let address = try! SocketAddress(ipAddress: "127.0.0.1", port: port)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: packet.encoded()), promise: nil)
    }

    /// Streams audio as RTP every 20 ms; completes after the last packet.
    func stream(_ samples: [Int16], encoding: AudioEncoding = .ulaw, to port: Int, ssrc: UInt32 = 0x5EED,
                firstSequence: UInt16 = 100, firstTimestamp: UInt32 = 1000, firstMarker: Bool = true) async throws {
        let frames = stride(from: 0, to: samples.count, by: 160).map { Array(samples[$0..<min($0 + 160, samples.count)]) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let index = NIOLockedValueBox(0)
        let task = channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(20)) { task in
            let i = index.withLockedValue { v -> Int in defer { v += 1 }; return v }
            guard i < frames.count else {
                task.cancel()
                promise.succeed()
                return
            }
            var payload = ByteBuffer()
            payload.writeBytes(encoding.encode(frames[i]))
            let header = RTPHeader(marker: i == 0 && firstMarker, payloadType: encoding.staticPayloadType, sequenceNumber: firstSequence &+ UInt16(i),
                                   timestamp: firstTimestamp &+ UInt32(i * 160), ssrc: ssrc)
            self.send(RTPPacket(header: header, payload: payload), to: port)
        }
        _ = task
        try await promise.futureResult.get()
    }

    /// Decoded audio of all received packets with payload type `pt`, in arrival order.
    func audio(payloadType pt: UInt8 = 0) -> [Int16] {
        let encoding: AudioEncoding = pt == 8 ? .alaw : .ulaw
        return packets.filter { $0.header.payloadType == pt }.flatMap { encoding.decode(Array($0.payload.readableBytesView)) }
    }
}

/// Channel handler feeding datagrams to a closure (set once before traffic starts).
private final class Collector: ChannelInboundHandler, @unchecked Sendable {  // onDatagram is set before any read and only read on the loop
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    var onDatagram: ((AddressedEnvelope<ByteBuffer>) -> Void)?
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onDatagram?(unwrapInboundIn(data))
    }
}

/// A tone at `dBm0` as 8 kHz samples.
func toneSamples(_ frequency: Double, ms: Int, dBm0: Double = -10) -> [Int16] {
    var generator = ToneGenerator(tone: Tone(frequencies: [frequency], levelDBm0: dBm0))
    return generator.next(ms * 8)
}

/// Dominant frequency of one 20 ms frame by Goertzel over candidate frequencies.
func dominant(_ frame: [Int16], among candidates: [Double]) -> Double? {
    let floats = frame.map(Float.init)
    let scored = candidates.map { ($0, Goertzel(frequency: $0).amplitude(floats)) }
    guard let best = scored.max(by: { $0.1 < $1.1 }), best.1 > 300 else { return nil }
    return best.0
}

func makeEngine(_ configure: (inout MediaEngineConfiguration) -> Void = { _ in }) -> MediaEngine {
    var configuration = MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1"))
    configuration.bindAddress = "127.0.0.1"
    configure(&configuration)
    return MediaEngine(configuration: configuration)
}

@testable import MediaEngine
