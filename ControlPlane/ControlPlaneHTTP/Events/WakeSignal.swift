import Foundation

/// Wakes long-polls when there may be something new (e.g. an agent command was requested).
/// A generation counter closes the gap between "looked, found nothing" and "started waiting": a
/// waiter whose generation is already old returns at once. In-process: with several control-plane
/// instances a command created on another one is seen when the wait runs out (LISTEN/NOTIFY later).
actor WakeSignal {
    private(set) var generation: UInt64 = 0
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    func notify() {
        generation &+= 1
        for w in waiters.values { w.resume() }
        waiters.removeAll()
    }

    /// Returns after a `notify` following `seen`, or at `deadline`.
    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        guard generation == seen, deadline > .now else { return }
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(id, seen: seen) }
            group.addTask {
                try? await Task.sleep(until: deadline)
                await self.release(id)
            }
            await group.next()
            group.cancelAll()
            await group.waitForAll()
            release(id)
        }
    }

    /// Checks the generation again as it registers: `wait` leaves the actor while this child task
    /// starts, and a `notify` in that gap would otherwise be lost (seen once in CI: a long-poll slept
    /// its full 20 s although a command had come).
    private func suspend(_ id: UUID, seen: UInt64) async {
        guard generation == seen else { return }
        await withCheckedContinuation { waiters[id] = $0 }
    }

    private func release(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
