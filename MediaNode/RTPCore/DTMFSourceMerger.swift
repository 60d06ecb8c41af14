/// One key press that reaches the node by more than one path (a phone sending RFC 4733 events and
/// INFO for the same key, or in-band tones next to events) is delivered once: a digit is a duplicate
/// when the same digit arrived from another source within `window` and has not been matched yet.
/// Digits from one source are never merged (a caller may press the same key twice quickly).
/// Pure: the caller passes a monotonic time in nanoseconds.
public struct DTMFSourceMerger<Source: Hashable & Sendable>: Sendable {
    struct Delivered: Sendable {
        var digit: DTMFDigit
        var source: Source
        var at: UInt64
        /// Other sources whose copy of this press was already dropped.
        var matched: Set<Source>
    }

    /// How far apart two reports of one press may be. Default 1 s (an INFO may trail the RTP events
    /// by a SIP retransmission of 500 ms).
    public var windowNanoseconds: UInt64
    /// Presses remembered (bounded whatever a peer sends).
    public static var capacity: Int { 16 }
    var recent: [Delivered] = []

    public init(windowNanoseconds: UInt64 = 1_000_000_000) {
        self.windowNanoseconds = windowNanoseconds
    }

    /// True when `digit` from `source` at `now` is a new press to deliver; false for a duplicate.
    public mutating func admit(_ digit: DTMFDigit, from source: Source, now: UInt64) -> Bool {
        // Wrapping difference: a clock that went backwards reads as "long ago".
        recent.removeAll { now &- $0.at > windowNanoseconds }
        if let index = recent.firstIndex(where: { $0.digit == digit && $0.source != source && !$0.matched.contains(source) }) {
            recent[index].matched.insert(source)
            return false
        }
        if recent.count >= Self.capacity { recent.removeFirst() }
        recent.append(Delivered(digit: digit, source: source, at: now, matched: []))
        return true
    }
}
