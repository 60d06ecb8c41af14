import DequeModule

/// A skill requirement with the skill interned to a small integer.
struct InternedRequirement: Hashable, Sendable, Comparable {
    var skill: Int32
    var minLevel: Int
    static func < (a: Self, b: Self) -> Bool { (a.skill, a.minLevel) < (b.skill, b.minLevel) }
}

/// A queue's waiting callers.
///
/// Callers are grouped into *lanes* (same extra skill requirements, so the same agents qualify)
/// and, within a lane, into priority levels kept in join order. Because escalation only widens
/// eligibility and older callers have escalated at least as far, the first caller of a level is
/// the only one of that level an agent needs to look at: if it does not qualify, no later one does.
/// A second, lane-less set of levels answers "what is my position" in O(log n).
struct WaitingCallIndex: Sendable {
    struct Entry: Hashable, Sendable {
        var seq: UInt64
        var call: Int32
    }
    struct Level: Sendable {
        var priority: Int
        var entries: Deque<Entry> = []
    }
    struct Lane: Sendable {
        var extras: [InternedRequirement]
        /// Descending priority.
        var levels: [Level] = []
    }

    private(set) var lanes: [Lane] = []
    private var laneByExtras: [[InternedRequirement]: Int] = [:]
    /// Every waiting call by priority, descending; for positions.
    private(set) var all: [Level] = []
    private(set) var count = 0

    /// The lane for these extra requirements (sorted), created on first use.
    mutating func lane(for extras: [InternedRequirement]) -> Int {
        if let l = laneByExtras[extras] { return l }
        lanes.append(Lane(extras: extras))
        laneByExtras[extras] = lanes.count - 1
        return lanes.count - 1
    }

    mutating func insert(_ e: Entry, priority: Int, lane: Int) {
        Self.insert(e, priority: priority, into: &lanes[lane].levels)
        Self.insert(e, priority: priority, into: &all)
        count += 1
    }

    mutating func remove(_ e: Entry, priority: Int, lane: Int) {
        if Self.remove(e, priority: priority, from: &lanes[lane].levels) {
            _ = Self.remove(e, priority: priority, from: &all)
            count -= 1
        }
    }

    /// 1-based position of a waiting caller: everyone of higher priority plus the earlier joiners of theirs.
    func position(of e: Entry, priority: Int) -> Int? {
        var ahead = 0
        for level in all {
            if level.priority > priority {
                ahead += level.entries.count
            } else if level.priority == priority {
                let i = Self.lowerBound(level.entries, e.seq)
                guard i < level.entries.count, level.entries[i] == e else { return nil }
                return ahead + i + 1
            } else {
                break
            }
        }
        return nil
    }

    /// Number of callers with priority ≥ `priority` (a new caller of that priority would be behind them all).
    func countAhead(ofPriority priority: Int) -> Int {
        all.reduce(0) { $1.priority >= priority ? $0 + $1.entries.count : $0 }
    }

    /// The longest-waiting caller (smallest join sequence).
    var oldest: Entry? {
        all.compactMap(\.entries.first).min { $0.seq < $1.seq }
    }

    /// Every waiting entry, in no particular order.
    var allEntries: [Entry] { all.flatMap(\.entries) }

    private static func insert(_ e: Entry, priority: Int, into levels: inout [Level]) {
        var l = 0
        while l < levels.count, levels[l].priority > priority { l += 1 }
        if l == levels.count || levels[l].priority != priority {
            levels.insert(Level(priority: priority), at: l)
        }
        if let last = levels[l].entries.last, last.seq > e.seq {
            levels[l].entries.insert(e, at: lowerBound(levels[l].entries, e.seq))
        } else {
            levels[l].entries.append(e)
        }
    }

    private static func remove(_ e: Entry, priority: Int, from levels: inout [Level]) -> Bool {
        guard let l = levels.firstIndex(where: { $0.priority == priority }) else { return false }
        let i = lowerBound(levels[l].entries, e.seq)
        guard i < levels[l].entries.count, levels[l].entries[i] == e else { return false }
        if i == 0 { levels[l].entries.removeFirst() } else { levels[l].entries.remove(at: i) }
        if levels[l].entries.isEmpty { levels.remove(at: l) }
        return true
    }

    private static func lowerBound(_ entries: Deque<Entry>, _ seq: UInt64) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].seq < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
