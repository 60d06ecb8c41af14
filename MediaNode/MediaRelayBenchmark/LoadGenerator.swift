import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Sends G.711-sized RTP for N bridged calls in both directions (50 packets/s each way,
/// spread evenly over every 20 ms) from two sockets, and measures what comes back:
/// count, and one-way delay from the send time written into each payload.
final class LoadGenerator: @unchecked Sendable {  // mutable state is touched only on `loop`
    struct Target {
        /// Port the caller side sends to (relay leg A) and the agent side sends to (relay leg B).
        var callerSendsTo: Int
        var agentSendsTo: Int
    }

    let loop: any EventLoop
    let callerChannel: any Channel
    let agentChannel: any Channel
    var callerPort: Int { callerChannel.localAddress!.port! }
    var agentPort: Int { agentChannel.localAddress!.port! }

    private var targets: [Target] = []
    private var sequence: [UInt16] = []
    private var task: RepeatedTask?
    private var tick = 0
    private(set) var sent = 0
    private(set) var received = 0
    /// One-way delay histogram in microseconds (last bucket collects everything above).
    private(set) var histogram = [UInt32](repeating: 0, count: 200_001)
    private var measureFrom: UInt64 = .max
    private var measureUntil: UInt64 = .max

    init(group: any EventLoopGroup) async throws {
        let loop = group.next()
        self.loop = loop
        let receiver = ReceiveHandler()
        func bind() async throws -> any Channel {
            try await DatagramBootstrap(group: loop)
                .channelOption(.datagramVectorReadMessageCount, value: 64)
                .channelOption(.socketOption(.so_rcvbuf), value: 16 << 20)
                .channelOption(.socketOption(.so_sndbuf), value: 16 << 20)
                .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(receiver) } }
                .bind(host: "127.0.0.1", port: 0).get()
        }
        callerChannel = try await bind()
        agentChannel = try await bind()
        receiver.generator = self
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func start(targets: [Target]) async throws {
        try await loop.submit {
            self.targets = targets
            self.sequence = Array(repeating: 0, count: targets.count * 2)
            self.task = self.loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(1)) { _ in self.sendSlice() }
        }.get()
    }

    /// Every 1 ms, the calls whose index ≡ tick (mod 20) send one packet each way.
    private func sendSlice() {
        let slot = tick % 20
        tick += 1
        let callerTo = (try? SocketAddress(ipAddress: "127.0.0.1", port: 0))!
        var callerWrote = false
        var agentWrote = false
        for call in stride(from: slot, to: targets.count, by: 20) {
            for direction in 0..<2 {
                let port = direction == 0 ? targets[call].callerSendsTo : targets[call].agentSendsTo
                var address = callerTo
                address.port = port
                let seqIndex = call * 2 + direction
                let seq = sequence[seqIndex]
                sequence[seqIndex] = seq &+ 1
                var buffer = callerChannel.allocator.buffer(capacity: 172)
                buffer.writeInteger(UInt8(0x80))
                buffer.writeInteger(UInt8(0))  // PCMU
                buffer.writeInteger(seq)
                buffer.writeInteger(UInt32(seq) &* 160)
                buffer.writeInteger(UInt32(call * 2 + direction + 1))
                buffer.writeInteger(Self.now())  // payload[0..8): send time
                buffer.writeRepeatingByte(0xFF, count: 152)
                let channel = direction == 0 ? callerChannel : agentChannel
                channel.write(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
                if direction == 0 { callerWrote = true } else { agentWrote = true }
                sent += 1
            }
        }
        if callerWrote { callerChannel.flush() }
        if agentWrote { agentChannel.flush() }
    }

    fileprivate func receive(_ buffer: ByteBuffer) {
        guard let sentAt = buffer.getInteger(at: buffer.readerIndex + 12, as: UInt64.self) else { return }
        received += 1
        guard sentAt >= measureFrom, sentAt < measureUntil else { return }
        let micros = Int((Self.now() &- sentAt) / 1000)
        histogram[min(micros, histogram.count - 1)] += 1
    }

    func measure(from: UInt64, until: UInt64) async throws {
        try await loop.submit {
            self.measureFrom = from
            self.measureUntil = until
        }.get()
    }

    /// CPU seconds of the generator's thread.
    func cpuSeconds() async throws -> Double {
        try await loop.submit { () -> Double in
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }.get()
    }

    func stop() async throws {
        try await loop.submit { self.task?.cancel() }.get()
    }

    func snapshot() async throws -> (sent: Int, received: Int, histogram: [UInt32]) {
        try await loop.submit { (self.sent, self.received, self.histogram) }.get()
    }

    func close() async {
        try? await callerChannel.close()
        try? await agentChannel.close()
    }
}

private final class ReceiveHandler: ChannelInboundHandler, @unchecked Sendable {  // generator set before traffic; used on its loop
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    weak var generator: LoadGenerator?
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        generator?.receive(unwrapInboundIn(data).data)
    }
}

/// Percentile of a microsecond histogram.
func percentile(_ histogram: [UInt32], _ p: Double) -> Double {
    let total = histogram.reduce(0) { $0 + Int($1) }
    guard total > 0 else { return .nan }
    let target = Int((Double(total) * p).rounded(.up))
    var seen = 0
    for (micros, count) in histogram.enumerated() {
        seen += Int(count)
        if seen >= target { return Double(micros) / 1000 }
    }
    return Double(histogram.count) / 1000
}

#if canImport(Glibc)
import Glibc
#endif
