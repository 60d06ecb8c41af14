import Foundation

/// Answers of the control plane about numbers this node does not serve, kept for a while so a
/// burst of calls to one number (or a SIP scanner dialling random numbers) does not become a
/// burst of control-plane requests. Pure: the caller passes the time.
///
/// * `elsewhere` (homed on another node) is kept for `elsewhereTTL` (60 s), `notInService` for
///   `notInServiceTTL` (10 s, so a number just bought starts working soon); `here` and
///   `unknown` are transient and never kept.
/// * Any new configuration snapshot clears everything (a tenant may have moved), and so does
///   a generation check: an answer asked for before the clear is not stored after it.
/// * At most `capacity` numbers; when full, expired entries go first, then the oldest.
package struct NumberLookupCache: Sendable {
    package var elsewhereTTL: TimeInterval = 60
    package var notInServiceTTL: TimeInterval = 10
    package let capacity: Int
    private var entries: [String: (result: NumberLookup, expires: Date, stored: Date)] = [:]
    /// Bumped by `clear()`; pass the value read before asking to `store`.
    package private(set) var generation: UInt64 = 0

    package init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    package var count: Int { entries.count }

    /// A kept answer still valid at `now`.
    package mutating func lookup(_ number: String, now: Date) -> NumberLookup? {
        guard let entry = entries[number] else { return nil }
        guard entry.expires > now else {
            entries[number] = nil
            return nil
        }
        return entry.result
    }

    /// Keeps `result` if it is worth keeping and nothing was cleared since `generation` was read.
    package mutating func store(_ number: String, _ result: NumberLookup, asked generation: UInt64, now: Date) {
        guard generation == self.generation else { return }
        let ttl: TimeInterval
        switch result {
        case .elsewhere: ttl = elsewhereTTL
        case .notInService: ttl = notInServiceTTL
        case .here, .unknown: return
        }
        if entries[number] == nil, entries.count >= capacity { makeRoom(now: now) }
        entries[number] = (result, now.addingTimeInterval(ttl), now)
    }

    package mutating func clear() {
        entries.removeAll(keepingCapacity: true)
        generation &+= 1
    }

    private mutating func makeRoom(now: Date) {
        entries = entries.filter { $0.value.expires > now }
        guard entries.count >= capacity, let oldest = entries.min(by: { $0.value.stored < $1.value.stored })?.key else { return }
        entries[oldest] = nil
    }
}
