/// Per-source reception statistics: sequence tracking (RFC 3550 A.1), loss (A.3)
/// and interarrival jitter (A.8). Pure: arrival time is passed in timestamp units.
public struct RTPReceiveStatistics: Sendable, Hashable {
    static let maxDropout: UInt16 = 3000
    static let maxMisorder: UInt16 = 100

    public private(set) var started = false
    public private(set) var baseSequence: UInt16 = 0
    public private(set) var maxSequence: UInt16 = 0
    /// Sequence wrap count shifted left 16 (RFC 3550 A.1 `cycles`).
    public private(set) var cycles: UInt32 = 0
    /// Packets received, duplicates included (RFC 3550 A.3).
    public private(set) var received: UInt32 = 0
    /// Interarrival jitter estimate in timestamp units (RFC 3550 A.8).
    public private(set) var jitter: Double = 0
    private var badSequence: UInt32 = 0x1_0001
    private var lastTransit: Int64?
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0

    public init() {}

    /// Records one packet. Returns false when the packet is far out of sequence and was not counted.
    @discardableResult
    public mutating func record(sequence: UInt16, timestamp: UInt32, arrival: UInt32) -> Bool {
        if !started {
            started = true
            baseSequence = sequence
            maxSequence = sequence
            badSequence = 0x1_0001
        } else {
            let delta = sequence &- maxSequence
            if delta < Self.maxDropout {
                if sequence < maxSequence { cycles &+= 0x1_0000 }  // wrapped
                maxSequence = sequence
            } else if delta <= UInt16.max - Self.maxMisorder {
                // Large jump: accept only when the next packet confirms it (RFC 3550 A.1).
                if UInt32(sequence) == badSequence {
                    baseSequence = sequence
                    maxSequence = sequence
                    cycles = 0
                    received = 0
                    expectedPrior = 0
                    receivedPrior = 0
                    lastTransit = nil
                } else {
                    badSequence = UInt32(sequence &+ 1)
                    return false
                }
            }  // else duplicate or reordered: counted, max unchanged
        }
        received &+= 1
        // RFC 3550 A.8: J += (|D| - J) / 16 with D the transit-time difference.
        let transit = Int64(arrival) - Int64(timestamp)
        if let last = lastTransit {
            var d = transit - last
            // Wrap-safe difference of 32-bit quantities.
            if d > Int64(Int32.max) { d -= 1 << 32 } else if d < Int64(Int32.min) { d += 1 << 32 }
            jitter += (Double(abs(d)) - jitter) / 16
        }
        lastTransit = transit
        return true
    }

    /// The state another relay (the kernel's) needs to carry on counting this stream, and
    /// takes back with `continue(from:)`. `jitterQ4` is jitter × 16 in timestamp units.
    public struct Continuation: Sendable, Hashable {
        public var received: UInt32
        public var cycles: UInt32
        public var maxSequence: UInt16
        public var jitterQ4: UInt32
        public var lastTransit: Int64?
        public init(received: UInt32, cycles: UInt32, maxSequence: UInt16, jitterQ4: UInt32, lastTransit: Int64?) {
            self.received = received
            self.cycles = cycles
            self.maxSequence = maxSequence
            self.jitterQ4 = jitterQ4
            self.lastTransit = lastTransit
        }
    }

    /// This stream's counting state, for a relay that continues it. Only a started stream can be handed over.
    public var continuation: Continuation {
        Continuation(received: received, cycles: cycles, maxSequence: maxSequence, jitterQ4: UInt32((jitter * 16).rounded()), lastTransit: lastTransit)
    }

    /// Takes the counting state back from a relay that continued it (RFC 3550 A.1 and A.8 kept
    /// there in integer form); the reporting interval (A.3) carries on from this side's last report.
    public mutating func `continue`(from state: Continuation) {
        guard started else { return }
        received = state.received
        cycles = state.cycles
        maxSequence = state.maxSequence
        jitter = Double(state.jitterQ4) / 16
        lastTransit = state.lastTransit
    }

    /// Highest sequence number with wrap count (RFC 3550 A.3).
    public var extendedHighestSequence: UInt32 { cycles | UInt32(maxSequence) }
    /// Packets expected since the first one.
    public var expected: UInt32 { started ? extendedHighestSequence &- UInt32(baseSequence) &+ 1 : 0 }
    /// Cumulative packets lost; negative with duplicates (RFC 3550 A.3).
    public var cumulativeLost: Int64 { Int64(expected) - Int64(received) }
    /// Loss ratio 0…1 over the whole stream.
    public var lossRatio: Double { expected == 0 ? 0 : max(0, Double(cumulativeLost)) / Double(expected) }

    /// Builds a report block and starts a new reporting interval (RFC 3550 A.3).
    public mutating func makeReportBlock(ssrc: UInt32, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0) -> RTCPReportBlock {
        let expectedInterval = Int64(expected) - Int64(expectedPrior)
        let receivedInterval = Int64(received) - Int64(receivedPrior)
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        // Clamped: counts taken back from another relay (`continue(from:)`) that are behind this
        // side's last report made the interval negative and UInt8(-256) trapped.
        let fraction: UInt8 = expectedInterval <= 0 || lostInterval <= 0 ? 0 : UInt8(clamping: (lostInterval << 8) / expectedInterval)
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(clamping: cumulativeLost),
            extendedHighestSequence: extendedHighestSequence, jitter: UInt32(jitter.rounded()),
            lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delaySinceLastSenderReport)
    }
}
