/// Hands out even RTP ports (RTCP on the odd port above, RFC 3550 §11) from a range,
/// round-robin so a just-released port is not reused at once (late packets of the old call).
public struct RTPPortAllocator: Sendable, Hashable {
    public let range: ClosedRange<Int>
    private var inUse: Set<Int> = []
    private var cursor: Int

    public init(range: ClosedRange<Int>) {
        precondition(range.count >= 2, "RTP port range needs at least one even/odd pair")
        self.range = range
        cursor = range.lowerBound + (range.lowerBound & 1)
    }

    /// Number of RTP ports available in the range.
    public var capacity: Int { max(0, (range.upperBound - 1 - (range.lowerBound + (range.lowerBound & 1))) / 2 + 1) }

    /// Ports currently allocated.
    public var allocatedCount: Int { inUse.count }

    /// The next free even port, or nil when the range is exhausted.
    public mutating func allocate() -> Int? {
        let first = range.lowerBound + (range.lowerBound & 1)
        let slots = capacity
        guard slots > 0 else { return nil }
        for _ in 0..<slots {
            let port = cursor
            cursor += 2
            if cursor + 1 > range.upperBound { cursor = first }
            if !inUse.contains(port) {
                inUse.insert(port)
                return port
            }
        }
        return nil
    }

    /// Returns a port to the pool.
    public mutating func release(_ port: Int) {
        inUse.remove(port)
    }
}
