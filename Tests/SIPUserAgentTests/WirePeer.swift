import NIOCore
import NIOPosix
import SIPMessage

/// A raw SIP peer on a real socket for wire-level tests: sends bytes, yields what comes back.
final class WirePeer: Sendable {
    let channel: any Channel
    let received: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let continuation: AsyncStream<[UInt8]>.Continuation
        init(_ c: AsyncStream<[UInt8]>.Continuation) { continuation = c }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(Array(unwrapInboundIn(data).data.readableBytesView))
        }
    }

    private final class StreamCollector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let continuation: AsyncStream<[UInt8]>.Continuation
        init(_ c: AsyncStream<[UInt8]>.Continuation) { continuation = c }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(Array(unwrapInboundIn(data).readableBytesView))
        }
        func channelInactive(context: ChannelHandlerContext) { continuation.finish() }
    }

    private init(channel: any Channel, received: AsyncStream<[UInt8]>, continuation: AsyncStream<[UInt8]>.Continuation) {
        self.channel = channel
        self.received = received
        self.continuation = continuation
    }

    /// Puts `marker` into the received stream after `delay`: an upper bound for a reader that
    /// waits for something that should have come (it normally comes long before).
    func deadline(_ marker: [UInt8], after delay: TimeAmount) {
        let continuation = self.continuation
        channel.eventLoop.scheduleTask(in: delay) { continuation.yield(marker) }
    }

    /// UDP sockets bound to `host` on each of `ports` (sending from the first), one merged stream.
    static func udp(host: String, ports: [Int]) async throws -> WirePeer {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        var channels: [any Channel] = []
        for port in ports {
            channels.append(try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
                .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Collector(continuation)) } }
                .bind(host: host, port: port).get())
        }
        let peer = WirePeer(channel: channels[0], received: stream, continuation: continuation)
        peer.extraChannels = channels.dropFirst().map { $0 }
        return peer
    }

    nonisolated(unsafe) private var extraChannels: [any Channel] = [] // set once before sharing

    /// A TCP connection to `address`.
    static func tcp(to address: SocketAddress) async throws -> WirePeer {
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(StreamCollector(continuation)) } }
            .connect(to: address).get()
        return WirePeer(channel: channel, received: stream, continuation: continuation)
    }

    func send(_ bytes: [UInt8], to address: SocketAddress) async throws {
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))).get()
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
    }

    func close() async {
        try? await channel.close()
        for c in extraChannels { try? await c.close() }
    }
}

/// An OPTIONS probe from `host:port` with a unique Call-ID.
func optionsProbe(from host: String, port: Int, callID: String, to target: String = "sip:probe@127.0.0.1", transport: String = "UDP") -> [UInt8] {
    Array("""
    OPTIONS \(target) SIP/2.0\r
    Via: SIP/2.0/\(transport) \(host):\(port);branch=z9hG4bK-\(callID);rport\r
    Max-Forwards: 70\r
    From: <sip:tester@\(host)>;tag=probe\r
    To: <\(target)>\r
    Call-ID: \(callID)\r
    CSeq: 1 OPTIONS\r
    Content-Length: 0\r
    \r

    """.utf8)
}
