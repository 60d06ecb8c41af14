import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing
@testable import MediaEngine

/// The media engine's own event loop: the EventLoop contract legs and tickers rely on.
@Suite struct MediaEventLoopTests {
    @Test func tasksRunOnTheLoopInSubmissionOrder() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 1)
        let loop = group.nextLoop()
        #expect(!loop.inEventLoop)
        let seen = NIOLockedValueBox<[Int]>([])
        for i in 0..<1000 { loop.execute { seen.withLockedValue { $0.append(i) } } }
        let onLoop = try await loop.submit { loop.inEventLoop }.get()
        #expect(onLoop)
        #expect(seen.withLockedValue { $0 } == Array(0..<1000))
        try await group.shutdownGracefully()
    }

    @Test func scheduledTasksFireAtTheirDeadlineInOrderAndCancelledOnesDoNot() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 1)
        let loop = group.nextLoop()
        let start = NIODeadline.now()
        let fired = NIOLockedValueBox<[(Int, NIODeadline)]>([])
        var futures: [EventLoopFuture<Void>] = []
        for (i, ms) in [30, 10, 20].enumerated() {
            futures.append(loop.scheduleTask(deadline: start + .milliseconds(Int64(ms))) { fired.withLockedValue { $0.append((i, .now())) } }.futureResult)
        }
        let cancelled = loop.scheduleTask(in: .milliseconds(15)) { fired.withLockedValue { $0.append((99, .now())) } }
        cancelled.cancel()
        for f in futures { try await f.get() }
        await #expect(throws: EventLoopError.cancelled) { try await cancelled.futureResult.get() }
        let order = fired.withLockedValue { $0 }
        #expect(order.map(\.0) == [1, 2, 0])
        for (i, at) in order {
            let due = start + .milliseconds(Int64([30, 10, 20][i]))
            #expect(at >= due, "never early")
        }
        try await group.shutdownGracefully()
    }

    /// A timer scheduled from another thread wakes the sleeping loop (which has nothing else to do)
    /// and fires on time; cancelling it afterwards changes nothing.
    @Test func timerFromAnotherThreadWakesAnIdleLoop() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 1)
        let loop = group.nextLoop()
        for _ in 0..<20 {
            let start = NIODeadline.now()
            let scheduled = loop.scheduleTask(in: .milliseconds(5)) { NIODeadline.now() }
            let fired = try await scheduled.futureResult.get()
            #expect(fired >= start + .milliseconds(5))
            #expect(fired < start + .milliseconds(50), "late by \((fired - start).nanoseconds / 1000) µs")
            scheduled.cancel()  // after it fired: no effect
            #expect(try await scheduled.futureResult.get() == fired)
        }
        try await group.shutdownGracefully()
    }

    @Test func timersScheduledFromTheLoopKeepTwentyMillisecondPacing() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 1)
        let loop = group.nextLoop()
        let ticks = NIOLockedValueBox<[NIODeadline]>([])
        let done = loop.makePromise(of: Void.self)
        let ticker = try await loop.submit {
            let ticker = PacedTicker(loop: loop, interval: .milliseconds(20)) {
                let count = ticks.withLockedValue { $0.append(.now()); return $0.count }
                if count == 50 { done.succeed() }
            }
            ticker.start()
            return NIOLoopBound(ticker, eventLoop: loop)
        }.get()
        try await done.futureResult.get()
        try await loop.submit { ticker.value.stop() }.get()
        let t = ticks.withLockedValue { $0 }
        // 49 intervals of 20 ms, measured end to end: absolute deadlines do not drift.
        let total = Double((t.last! - t.first!).nanoseconds) / 1e6
        #expect(abs(total - 49 * 20) < 5, "total \(total) ms")
        try await group.shutdownGracefully()
    }

    @Test func alignedTickersStartedApartShareTheirWakeUps() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 1)
        let loop = group.nextLoop()
        let interval = TimeAmount.milliseconds(50)
        let step = UInt64(interval.nanoseconds)
        let firstTicks = NIOLockedValueBox<[Int: NIODeadline]>([:])
        let done = loop.makePromise(of: Void.self)
        // Two legs' once-an-interval checks, started 5 and 12 ms after a multiple of the interval.
        try await loop.submit {
            let boundary = (NIODeadline.now().uptimeNanoseconds / step + 1) * step
            for index in 0..<2 {
                let start = NIODeadline.uptimeNanoseconds(boundary + UInt64(5 + 7 * index) * 1_000_000)
                loop.assumeIsolated().scheduleTask(deadline: start) {
                    PacedTicker(loop: loop, interval: interval) {
                        let completed = firstTicks.withLockedValue { ticks in
                            guard ticks[index] == nil else { return false }
                            ticks[index] = .now()
                            return ticks.count == 2
                        }
                        if completed { done.succeed() }
                    }.startAligned()  // kept alive by its scheduled tick until the group shuts down
                }
            }
        }.get()
        try await done.futureResult.get()
        let t = firstTicks.withLockedValue { $0 }
        // Both first fire on the next multiple of the interval, in one wake-up (started with
        // `start()` they would tick 7 ms apart for good).
        #expect(abs((t[1]! - t[0]!).nanoseconds) < 2_000_000, "\(t)")
        #expect(t[0]!.uptimeNanoseconds % step < 5_000_000)
        try await group.shutdownGracefully()
    }

    @Test func shutdownCompletesAndClosesSockets() async throws {
        let group = try MediaEventLoopGroup(numberOfThreads: 2)
        let loop = group.nextLoop()
        let port = try await loop.submit {
            try MediaSocket(binding: try SocketAddress(ipAddress: "127.0.0.1", port: 0), on: loop, receiveBufferBytes: 0).localPort
        }.get()
        #expect(port > 0)
        try await group.shutdownGracefully()
        // The port is free again.
        let again = try MediaEventLoopGroup(numberOfThreads: 1)
        let rebound = try await again.nextLoop().submit { [l = again.nextLoop()] in
            try MediaSocket(binding: try SocketAddress(ipAddress: "127.0.0.1", port: port), on: l, receiveBufferBytes: 0).localPort
        }.get()
        #expect(rebound == port)
        try await again.shutdownGracefully()
    }
}
