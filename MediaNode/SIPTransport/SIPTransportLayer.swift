import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SIPMessage

/// UDP and TCP listeners plus outgoing TCP connections with reuse (RFC 3261 §18). Inbound
/// messages are handed to `inbound` on the channel's event loop; sending is thread-safe.
public final class SIPTransportLayer: Sendable {
    public struct Configuration: Sendable {
        /// Address to bind (default 127.0.0.1).
        public var host: String
        /// UDP port; 0 picks a free port (default 5060).
        public var udpPort: Int
        /// TCP port; nil disables TCP, 0 picks a free port (default 5060).
        public var tcpPort: Int?
        /// Parser limits (message size, header count, header length).
        public var parser: SIPMessageParser.Configuration
        /// A TCP connection holding an incomplete message this long is closed (default 32 s).
        public var incompleteMessageTimeout: TimeAmount
        /// Per-source limits and bans (see `SIPSourcePolicy.Configuration` for the defaults).
        public var sourcePolicy: SIPSourcePolicy.Configuration

        public init(host: String = "127.0.0.1", udpPort: Int = 5060, tcpPort: Int? = 5060,
                    parser: SIPMessageParser.Configuration = .init(), incompleteMessageTimeout: TimeAmount = .seconds(32),
                    sourcePolicy: SIPSourcePolicy.Configuration = .init()) {
            self.host = host
            self.udpPort = udpPort
            self.tcpPort = tcpPort
            self.parser = parser
            self.incompleteMessageTimeout = incompleteMessageTimeout
            self.sourcePolicy = sourcePolicy
        }
    }

    public struct SendError: Error, Hashable, Sendable {
        public let detail: String
    }

    public let udpAddress: SocketAddress
    public let tcpAddress: SocketAddress?
    /// The per-source policy the listeners apply before parsing (shared with the user agent).
    public let sourceGuard: SIPSourceGuard
    private let udpChannel: any Channel
    private let tcpServer: (any Channel)?
    private let group: any EventLoopGroup
    private let configuration: Configuration
    private let inbound: @Sendable (SIPInbound) -> Void
    private let connections: NIOLockedValueBox<[SocketAddress: any Channel]>

    private init(udp: any Channel, tcp: (any Channel)?, group: any EventLoopGroup, configuration: Configuration, sourceGuard: SIPSourceGuard,
                 inbound: @escaping @Sendable (SIPInbound) -> Void, connections: NIOLockedValueBox<[SocketAddress: any Channel]>) {
        self.sourceGuard = sourceGuard
        self.udpChannel = udp
        self.tcpServer = tcp
        self.udpAddress = udp.localAddress!
        self.tcpAddress = tcp?.localAddress
        self.group = group
        self.configuration = configuration
        self.inbound = inbound
        self.connections = connections
    }

    /// Binds the listeners. `sourceGuard` (made from `configuration.sourcePolicy` when nil) is
    /// consulted for every datagram and framed message before it is parsed.
    public static func bind(configuration: Configuration, group: any EventLoopGroup, sourceGuard: SIPSourceGuard? = nil,
                            inbound: @escaping @Sendable (SIPInbound) -> Void) async throws -> SIPTransportLayer {
        let parser = SIPMessageParser(configuration: configuration.parser)
        let sourceGuard = sourceGuard ?? SIPSourceGuard(configuration: configuration.sourcePolicy)
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 4 * 1024 * 1024)
            // Whole datagrams up to the message size limit (NIO's default buffer is 2048 bytes).
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: max(configuration.parser.maxMessageSize, 2048) + 1))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(parser: parser, sourceGuard: sourceGuard, inbound: inbound))
                }
            }
            .bind(host: configuration.host, port: configuration.udpPort).get()
        let connections = NIOLockedValueBox<[SocketAddress: any Channel]>([:])
        var tcp: (any Channel)?
        if let tcpPort = configuration.tcpPort {
            let timeout = configuration.incompleteMessageTimeout
            tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    Self.initializeStream(channel, parser: parser, timeout: timeout, sourceGuard: sourceGuard, inbound: inbound, connections: connections)
                }
                .bind(host: configuration.host, port: tcpPort).get()
        }
        return SIPTransportLayer(udp: udp, tcp: tcp, group: group, configuration: configuration, sourceGuard: sourceGuard,
                                 inbound: inbound, connections: connections)
    }

    private static func initializeStream(_ channel: any Channel, parser: SIPMessageParser, timeout: TimeAmount, sourceGuard: SIPSourceGuard,
                                         inbound: @escaping @Sendable (SIPInbound) -> Void,
                                         connections: NIOLockedValueBox<[SocketAddress: any Channel]>) -> EventLoopFuture<Void> {
        // A banned source's connection is closed before anything is read from it.
        if let ip = channel.remoteAddress?.ipAddress, sourceGuard.isBanned(ip) { return channel.close() }
        if let remote = channel.remoteAddress {
            connections.withLockedValue { $0[remote] = channel }
            channel.closeFuture.whenComplete { _ in
                connections.withLockedValue { table in
                    if table[remote] === channel { table[remote] = nil }
                }
            }
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: timeout))
            try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(parser: parser, sourceGuard: sourceGuard, inbound: inbound))
        }
    }

    /// The local endpoint used for `transport` (for Via and Contact).
    public func localEndpoint(_ transport: SIPTransportProtocol) -> SIPEndpoint {
        switch transport {
        case .udp: return SIPEndpoint(.udp, udpAddress)
        case .tcp: return SIPEndpoint(.tcp, tcpAddress ?? udpAddress)
        }
    }

    /// Number of open TCP connections (accepted and initiated).
    public var connectionCount: Int { connections.withLockedValue { $0.count } }

    /// Sends bytes to `endpoint`; TCP reuses an open connection to that address or opens one.
    public func send(_ bytes: [UInt8], to endpoint: SIPEndpoint) async throws {
        switch endpoint.transport {
        case .udp:
            let buffer = udpChannel.allocator.buffer(bytes: bytes)
            try await udpChannel.writeAndFlush(AddressedEnvelope(remoteAddress: endpoint.address, data: buffer)).get()
        case .tcp:
            let channel = try await connection(to: endpoint.address)
            try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
        }
    }

    /// Fire-and-forget send (UDP datagrams and established TCP connections); errors are reported to `onError`.
    public func send(_ message: SIPMessage, to endpoint: SIPEndpoint, onError: (@Sendable (any Error) -> Void)? = nil) {
        let bytes = message.serialized()
        if endpoint.transport == .udp {
            let buffer = udpChannel.allocator.buffer(bytes: bytes)
            let f = udpChannel.writeAndFlush(AddressedEnvelope(remoteAddress: endpoint.address, data: buffer))
            if let onError { f.whenFailure(onError) }
            return
        }
        if let channel = connections.withLockedValue({ $0[endpoint.address] }), channel.isActive {
            let f = channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
            if let onError { f.whenFailure(onError) }
            return
        }
        let loop = group.next()
        let future = loop.makeFutureWithTask { try await self.send(bytes, to: endpoint) }
        if let onError { future.whenFailure(onError) }
    }

    private func connection(to address: SocketAddress) async throws -> any Channel {
        if let c = connections.withLockedValue({ $0[address] }), c.isActive { return c }
        let parser = SIPMessageParser(configuration: configuration.parser)
        let inbound = self.inbound
        let connections = self.connections
        let timeout = configuration.incompleteMessageTimeout
        let sourceGuard = self.sourceGuard
        return try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                Self.initializeStream(channel, parser: parser, timeout: timeout, sourceGuard: sourceGuard, inbound: inbound, connections: connections)
            }
            .connect(to: address).get()
    }

    /// Closes listeners and connections.
    public func shutdown() async {
        let open = connections.withLockedValue { table in
            let all = Array(table.values)
            table.removeAll()
            return all
        }
        for c in open { try? await c.close() }
        try? await udpChannel.close()
        try? await tcpServer?.close()
    }
}
