/// Places one party's decoded audio on a recording timeline by RTP timestamp, so the file
/// keeps the sender's timing even when our event loop is late (RFC 3550 §5.1: the timestamp
/// is the sampling instant). Pure: positions are sample counts supplied by the caller.
///
/// A stream is anchored at the position where its first packet arrived; later packets go to
/// `anchor + (timestamp − anchorTimestamp)`. A new SSRC or a drift beyond `reanchorLimit`
/// re-anchors. Audio is emitted with `take(upTo:)`; gaps come out as silence.
public struct TimelineTrack: Sendable {
    /// Re-anchor when a packet would land this far (samples) from its arrival position.
    public let reanchorLimit: Int64
    private var pending: [Int16] = []
    /// Timeline position of `pending[0]`: everything before it has been emitted.
    public private(set) var head: Int64 = 0
    private var anchor: (ssrc: UInt32, timestamp: UInt32, position: Int64)?
    /// Samples that arrived too late to be emitted.
    public private(set) var lateSamples = 0

    public init(reanchorLimit: Int64 = 8000) {
        self.reanchorLimit = reanchorLimit
    }

    /// Adds samples that arrived at timeline position `arrival`.
    public mutating func insert(ssrc: UInt32, timestamp: UInt32, samples: [Int16], arrival: Int64) {
        var position: Int64
        if let anchor, anchor.ssrc == ssrc {
            position = anchor.position + Int64(Int32(bitPattern: timestamp &- anchor.timestamp))
            if abs(position - arrival) > reanchorLimit {
                position = arrival
                self.anchor = (ssrc, timestamp, arrival)
            }
        } else {
            position = arrival
            anchor = (ssrc, timestamp, arrival)
        }
        var skip = 0
        if position < head {
            skip = Int(head - position)
            lateSamples += min(skip, samples.count)
            guard skip < samples.count else { return }
            position = head
        }
        let offset = Int(position - head)
        let needed = offset + samples.count - skip
        if pending.count < needed { pending.append(contentsOf: repeatElement(0, count: needed - pending.count)) }
        for i in skip..<samples.count { pending[offset + i - skip] = samples[i] }
    }

    /// Emits the timeline from `head` up to (not including) `position`; silence where nothing arrived.
    public mutating func take(upTo position: Int64) -> [Int16] {
        guard position > head else { return [] }
        let count = Int(position - head)
        var out: [Int16]
        if pending.count >= count {
            out = Array(pending[0..<count])
            pending.removeFirst(count)
        } else {
            out = pending + repeatElement(0, count: count - pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        head = position
        return out
    }

    /// Timeline position just after the last sample received.
    public var end: Int64 { head + Int64(pending.count) }
}
