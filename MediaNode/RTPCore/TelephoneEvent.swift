/// The RFC 4733 §2.3 event payload: event, E bit, volume, duration.
public struct TelephoneEvent: Sendable, Hashable {
    /// Event code (RFC 4733 §3.2).
    public var event: UInt8
    /// E bit: the final packet(s) of the event.
    public var isEnd: Bool
    /// Power level in −dBm0 (0…63).
    public var volume: UInt8
    /// Duration so far in timestamp units.
    public var duration: UInt16

    /// Encoded size of one event block.
    public static let size = 4

    public init(event: UInt8, isEnd: Bool, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume
        self.duration = duration
    }

    /// Decodes the first 4 bytes of a payload; nil when shorter.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count >= Self.size else { return nil }
        let b = Array(bytes.prefix(4))
        self.init(event: b[0], isEnd: b[1] & 0x80 != 0, volume: b[1] & 0x3F, duration: UInt16(b[2]) << 8 | UInt16(b[3]))
    }

    /// All event blocks of a payload with their RTP timestamps. RFC 4733 §2.5.1.5: several
    /// consecutive events may share one packet; the packet timestamp is the first event's and
    /// each following event starts where the previous one's duration ends.
    public static func blocks(in payload: some Collection<UInt8>, timestamp: UInt32) -> [(event: TelephoneEvent, timestamp: UInt32)] {
        let bytes = Array(payload)
        var out: [(TelephoneEvent, UInt32)] = []
        var start = timestamp
        var offset = 0
        while offset + size <= bytes.count, let event = TelephoneEvent(bytes: bytes[offset..<offset + size]) {
            out.append((event, start))
            start &+= UInt32(event.duration)
            offset += size
        }
        return out
    }

    /// Wire form.
    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }
}

/// RFC 4733 §2.5.2 receiver: turns a stream of telephone-event packets (with retransmitted
/// end packets, lost starts and lost ends) into exactly one `began` and one `ended` per key press.
public struct TelephoneEventReceiver: Sendable, Hashable {
    private struct Current: Sendable, Hashable {
        var timestamp: UInt32
        var digit: DTMFDigit
        var duration: UInt16
        var ended: Bool
    }

    private var current: Current?

    public init() {}

    /// Feeds one packet's payload with its RTP timestamp; returns the events it reveals.
    public mutating func receive(_ event: TelephoneEvent, timestamp: UInt32) -> [DTMFEvent] {
        guard let digit = DTMFDigit(event: event.event) else { return [] }
        var out: [DTMFEvent] = []
        if var cur = current, cur.timestamp == timestamp {
            // Same event (RFC 4733 §2.5.1.3: one timestamp per event). Ends after the first are duplicates.
            guard !cur.ended else { return [] }
            cur.duration = max(cur.duration, event.duration)
            if event.isEnd {
                cur.ended = true
                out.append(.ended(cur.digit, duration: UInt32(cur.duration)))
            }
            current = cur
            return out
        }
        if let cur = current {
            // Older timestamp: a late packet of a finished event (serial-number comparison).
            if Int32(bitPattern: timestamp &- cur.timestamp) < 0 { return [] }
            // New event while the previous one never saw its end: close it (§2.5.2.2 lost end).
            if !cur.ended { out.append(.ended(cur.digit, duration: UInt32(cur.duration))) }
        }
        // New event; the start packet may have been lost, any packet of it begins it (§2.5.2.1).
        out.append(.began(digit, timestamp: timestamp))
        current = Current(timestamp: timestamp, digit: digit, duration: event.duration, ended: event.isEnd)
        if event.isEnd { out.append(.ended(digit, duration: UInt32(event.duration))) }
        return out
    }

    /// Closes an event whose end packets were all lost; call after an inactivity timeout.
    public mutating func expire() -> [DTMFEvent] {
        guard var cur = current, !cur.ended else { return [] }
        cur.ended = true
        current = cur
        return [.ended(cur.digit, duration: UInt32(cur.duration))]
    }
}

/// RFC 4733 §2.5.1 sender schedule for one key press.
public enum TelephoneEventSender {
    /// One packet to send: all share the event's RTP timestamp.
    public struct Packet: Sendable, Hashable {
        public var event: TelephoneEvent
        /// Marker bit: set on the first packet of the event (§2.5.1.3).
        public var marker: Bool
        /// When to send, in ms after the start.
        public var offsetMs: Int
    }

    /// Start packet, updates every `intervalMs`, and the end packet sent three times (§2.5.1.4).
    /// The interval is the peer's ptime: one of 0 or less is taken as 20 ms (0 looped forever);
    /// durations are capped at 8,191 ms, the most a 16-bit duration at 8 kHz holds (§2.5.2.3).
    public static func packets(for digit: DTMFDigit, durationMs: Int = 100, intervalMs: Int = 20, volume: UInt8 = 10) -> [Packet] {
        let durationMs = min(max(durationMs, 0), Int(UInt16.max) / 8)
        let intervalMs = intervalMs > 0 ? min(intervalMs, Int(UInt16.max) / 8) : 20
        var packets: [Packet] = []
        var elapsed = 0
        while elapsed < durationMs {
            packets.append(Packet(
                event: TelephoneEvent(event: digit.event, isEnd: false, volume: volume, duration: UInt16(min(elapsed + intervalMs, durationMs) * 8)),
                marker: elapsed == 0, offsetMs: elapsed))
            elapsed += intervalMs
        }
        let end = TelephoneEvent(event: digit.event, isEnd: true, volume: volume, duration: UInt16(durationMs * 8))
        for _ in 0..<3 { packets.append(Packet(event: end, marker: false, offsetMs: durationMs)) }
        return packets
    }
}
