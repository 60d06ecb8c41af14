/// Hands out even RTP ports (RTCP on the odd port above, RFC 3550 §11) from a range, **at
/// random**: ports handed out in sequence let anyone who sees one call's port guess the next
/// call's and inject into it (RTP bleed). A released port rests in a quarantine of up to
/// `quarantineLimit` ports before it can be drawn again (late packets of the old call), unless
/// nothing else is free.
public struct RTPPortAllocator: Sendable {
    public let range: ClosedRange<Int>
    /// Ports that may be drawn.
    private var free: [Int]
    /// Released ports, oldest first, waiting to return to `free`.
    private var quarantine: [Int] = []
    private var quarantineHead = 0
    private var inUse: Set<Int> = []
    /// Most ports resting in quarantine. Default: a quarter of the range, at most 1,024.
    public let quarantineLimit: Int

    public init(range: ClosedRange<Int>) {
        self.range = range
        let first = range.lowerBound + (range.lowerBound & 1)
        // An even port needs its odd RTCP partner inside the range (and below 65536).
        free = first <= range.upperBound - 1 ? Array(stride(from: first, through: min(range.upperBound, 65535) - 1, by: 2)) : []
        quarantineLimit = min(1024, free.count / 4)
    }

    /// Number of RTP ports available in the range.
    public var capacity: Int { free.count + quarantine.count - quarantineHead + inUse.count }

    /// Ports currently allocated.
    public var allocatedCount: Int { inUse.count }

    /// Ports `allocate()` can still hand out: free or resting in quarantine (drawn when nothing
    /// else is free). O(1).
    public var availableCount: Int { capacity - inUse.count }

    /// A free even port drawn at random, or nil when the range is exhausted.
    public mutating func allocate() -> Int? {
        var generator = SystemRandomNumberGenerator()
        return allocate(using: &generator)
    }

    /// `allocate()` with a given source of randomness (tests).
    public mutating func allocate(using generator: inout some RandomNumberGenerator) -> Int? {
        if free.isEmpty, let oldest = takeOldestQuarantined() { free.append(oldest) }
        guard !free.isEmpty else { return nil }
        let index = Int.random(in: free.indices, using: &generator)
        free.swapAt(index, free.count - 1)
        let port = free.removeLast()
        inUse.insert(port)
        return port
    }

    /// Returns a port to the pool (through the quarantine).
    public mutating func release(_ port: Int) {
        guard inUse.remove(port) != nil else { return }
        quarantine.append(port)
        while quarantine.count - quarantineHead > quarantineLimit, let oldest = takeOldestQuarantined() {
            free.append(oldest)
        }
    }

    private mutating func takeOldestQuarantined() -> Int? {
        guard quarantineHead < quarantine.count else { return nil }
        let port = quarantine[quarantineHead]
        quarantineHead += 1
        if quarantineHead > 64, quarantineHead * 2 > quarantine.count {  // compact now and then
            quarantine.removeFirst(quarantineHead)
            quarantineHead = 0
        }
        return port
    }
}
