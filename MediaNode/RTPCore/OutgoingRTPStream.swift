/// The sending side of one RTP stream: one SSRC with continuous sequence numbers and
/// timestamps whatever feeds it (relayed peer audio, prompts, music, the mixer).
///
/// RFC 3550 §5.1: timestamps advance with the sampling clock, sequence numbers by one per
/// packet. When the source changes, the new source's timestamps are rebased so the stream
/// continues from where the wall clock says it should be, and the marker bit is set
/// (RFC 3551 §4.1: first packet after a talkspurt/discontinuity).
public struct OutgoingRTPStream: Sendable, Hashable {
    /// Identifies what feeds the stream: a relayed peer's SSRC or a local generator.
    public struct Source: Sendable, Hashable {
        public var id: UInt64
        public init(id: UInt64) { self.id = id }
        /// Key for a relayed stream: leg id and the peer's SSRC.
        public static func relay(leg: UInt32, ssrc: UInt32) -> Source { Source(id: UInt64(leg) << 32 | UInt64(ssrc)) }
        /// Key for a local generator (player, mixer, DTMF).
        public static func local(_ n: UInt32) -> Source { Source(id: 0xFFFF_FFFF << 32 | UInt64(n)) }
    }

    /// Header fields for the next packet.
    public struct Header: Sendable, Hashable {
        public var sequenceNumber: UInt16
        public var timestamp: UInt32
        public var marker: Bool
    }

    public let ssrc: UInt32
    /// Sampling rate, Hz.
    public let clockRate: UInt32
    public private(set) var nextSequence: UInt16
    private var source: Source?
    private var offset: UInt32 = 0
    private var lastTimestamp: UInt32
    private var lastWallclock: UInt64?  // in clock units
    public private(set) var packetsSent: UInt32 = 0
    public private(set) var octetsSent: UInt32 = 0

    public init(ssrc: UInt32, initialSequence: UInt16, initialTimestamp: UInt32, clockRate: UInt32 = 8000) {
        self.ssrc = ssrc
        self.nextSequence = initialSequence
        self.lastTimestamp = initialTimestamp
        self.clockRate = clockRate
    }

    /// Header for a packet from `source` carrying `inputTimestamp` in the source's timeline.
    /// - Parameters:
    ///   - now: current time in clock units (monotonic, any origin).
    ///   - marker: the source's own marker bit (kept).
    public mutating func next(from source: Source, inputTimestamp: UInt32, now: UInt64, marker: Bool = false, payloadBytes: Int = 0) -> Header {
        var setMarker = marker
        if source != self.source {
            // Continue from the last packet plus elapsed wall-clock time.
            let elapsed = lastWallclock.map { now &- $0 } ?? 0
            let expected = lastTimestamp &+ UInt32(truncatingIfNeeded: max(elapsed, packetsSent == 0 ? 0 : 1))
            offset = expected &- inputTimestamp
            self.source = source
            setMarker = true
        }
        let timestamp = inputTimestamp &+ offset
        let header = Header(sequenceNumber: nextSequence, timestamp: timestamp, marker: setMarker)
        nextSequence &+= 1
        lastTimestamp = timestamp
        lastWallclock = now
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: payloadBytes)
        return header
    }

    /// What is added to the current source's timestamps, and the source itself, for a relay
    /// that continues this stream (the kernel's).
    public var relayState: (source: Source?, timestampOffset: UInt32) { (source, offset) }

    /// Takes the stream back from a relay that continued it for the same source: its next
    /// sequence number, last timestamp and time of sending (clock units), and its counters.
    public mutating func `continue`(nextSequence: UInt16, lastTimestamp: UInt32, lastWallclock: UInt64, packetsSent: UInt32, octetsSent: UInt32) {
        self.nextSequence = nextSequence
        self.lastTimestamp = lastTimestamp
        self.lastWallclock = lastWallclock
        self.packetsSent = packetsSent
        self.octetsSent = octetsSent
    }

    /// Timestamp of the last packet sent.
    public var currentTimestamp: UInt32 { lastTimestamp }
}
