import Foundation
import NodeTestSupport
import Synchronization
import Testing
@testable import CallControl

@Suite struct NumberLookupCacheTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func keepsElsewhereAMinuteAndNotInServiceTenSecondsAndNothingTransient() {
        var cache = NumberLookupCache()
        let g = cache.generation
        cache.store("+861001", .elsewhere(sipAddress: "sip:10.0.0.2:5060"), asked: g, now: t0)
        cache.store("+861002", .notInService, asked: g, now: t0)
        cache.store("+861003", .here, asked: g, now: t0)
        cache.store("+861004", .unknown, asked: g, now: t0)
        #expect(cache.lookup("+861001", now: t0 + 59) == .elsewhere(sipAddress: "sip:10.0.0.2:5060"))
        #expect(cache.lookup("+861001", now: t0 + 60) == nil)
        #expect(cache.lookup("+861002", now: t0 + 9.9) == .notInService)
        #expect(cache.lookup("+861002", now: t0 + 10) == nil)
        #expect(cache.lookup("+861003", now: t0) == nil)
        #expect(cache.lookup("+861004", now: t0) == nil)
        #expect(cache.count == 0, "expired entries are dropped when looked at")
    }

    @Test func aNewSnapshotClearsAndAnAnswerAskedBeforeItIsNotStored() {
        var cache = NumberLookupCache()
        let before = cache.generation
        cache.store("+861001", .elsewhere(sipAddress: "sip:a"), asked: before, now: t0)
        cache.clear()
        #expect(cache.lookup("+861001", now: t0) == nil)
        // The tenant moved: an answer that was on its way while the snapshot arrived is stale.
        cache.store("+861001", .elsewhere(sipAddress: "sip:a"), asked: before, now: t0)
        #expect(cache.lookup("+861001", now: t0) == nil)
        cache.store("+861001", .elsewhere(sipAddress: "sip:b"), asked: cache.generation, now: t0)
        #expect(cache.lookup("+861001", now: t0) == .elsewhere(sipAddress: "sip:b"))
    }

    @Test func staysWithinCapacityDroppingExpiredThenOldest() {
        var cache = NumberLookupCache(capacity: 3)
        let g = cache.generation
        cache.store("a", .notInService, asked: g, now: t0)                     // expires t0+10
        cache.store("b", .elsewhere(sipAddress: "sip:x"), asked: g, now: t0 + 1)
        cache.store("c", .elsewhere(sipAddress: "sip:x"), asked: g, now: t0 + 2)
        cache.store("d", .elsewhere(sipAddress: "sip:x"), asked: g, now: t0 + 11)  // "a" has expired: it goes
        #expect(cache.count == 3)
        #expect(cache.lookup("b", now: t0 + 11) != nil)
        cache.store("e", .elsewhere(sipAddress: "sip:x"), asked: g, now: t0 + 12)  // full, none expired: oldest ("b") goes
        #expect(cache.count == 3)
        #expect(cache.lookup("b", now: t0 + 12) == nil)
        #expect(cache.lookup("c", now: t0 + 12) != nil)
        #expect(cache.lookup("e", now: t0 + 12) != nil)
    }
}

/// The node asks the control plane once per foreign number, and again after a new snapshot.
@Suite struct ForeignNumberLookupTests {
    @Test func repeatedCallsToAForeignNumberAskTheControlPlaneOnceUntilTheNextSnapshot() async throws {
        let work = try TemporaryDirectory()
        let asked = Mutex(0)
        let node = try await CallPathTests.NodeCallSide(
            work: work.path, snapshot: try AgentFailoverTests.snapshot(), label: "lookup-test",
            routeLookup: { _ in
                asked.withLock { $0 += 1 }
                return .elsewhere(sipAddress: "sip:10.0.0.9:5060")
            })
        for _ in 0..<5 { #expect(await node.runtime.lookUpForeignNumber("+861099") == .elsewhere(sipAddress: "sip:10.0.0.9:5060")) }
        #expect(asked.withLock { $0 } == 1)
        await node.runtime.apply(snapshot: try AgentFailoverTests.snapshot())  // e.g. a tenant moved
        _ = await node.runtime.lookUpForeignNumber("+861099")
        #expect(asked.withLock { $0 } == 2)
    }
}
