/// A queue's available members, bucketed by tier and sorted by the queue strategy's key, so an
/// arriving call looks at agents in offer order and stops at the first qualified one.
/// Insert and remove are a binary search plus a move of the entries behind.
struct AvailableAgentIndex: Sendable {
    struct Entry: Hashable, Sendable {
        /// Strategy key (smaller is offered first): idle-since, calls answered, talk time, −skill, member position.
        var key: Double
        /// Member position in the queue (configuration order); tie-break and round-robin order.
        var position: Int32
        var agent: Int32

        func precedes(_ other: Entry) -> Bool {
            key != other.key ? key < other.key : position < other.position
        }
    }

    /// Buckets ascending by tier.
    private(set) var tiers: [(tier: Int, entries: [Entry])] = []
    private(set) var count = 0

    mutating func insert(_ e: Entry, tier: Int) {
        let t = bucket(tier)
        let i = Self.lowerBound(tiers[t].entries, e)
        tiers[t].entries.insert(e, at: i)
        count += 1
    }

    mutating func remove(_ e: Entry, tier: Int) {
        guard let t = tiers.firstIndex(where: { $0.tier == tier }) else { return }
        let i = Self.lowerBound(tiers[t].entries, e)
        if i < tiers[t].entries.count, tiers[t].entries[i] == e {
            tiers[t].entries.remove(at: i)
            count -= 1
        }
    }

    /// Index of the first entry whose position is greater than `position` (round-robin start).
    static func firstAfter(position: Int32, in entries: [Entry]) -> Int {
        // entries are sorted by position for round-robin queues (key == position).
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].position <= position { lo = mid + 1 } else { hi = mid }
        }
        return lo == entries.count ? 0 : lo
    }

    private mutating func bucket(_ tier: Int) -> Int {
        if let t = tiers.firstIndex(where: { $0.tier == tier }) { return t }
        let at = tiers.firstIndex(where: { $0.tier > tier }) ?? tiers.count
        tiers.insert((tier, []), at: at)
        return at
    }

    private static func lowerBound(_ entries: [Entry], _ e: Entry) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].precedes(e) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
