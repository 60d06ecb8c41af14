import CMediaIO
import Dispatch
import Foundation
import HeapModule
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The media engine's own event loop: one thread running epoll over the RTP/RTCP sockets of its
/// legs, plus timers and submitted tasks. It is a SwiftNIO `EventLoop`, so legs, tickers,
/// futures and `NIOLoopBound` work on it as on any loop; only the datagrams bypass a channel
/// pipeline: a readable socket is read with recvfrom straight into the leg's handler, and
/// relayed packets go out with one sendto.
///
/// Why not NIO's `DatagramChannel`: the relay benchmark measured a bridged packet at 21 µs of CPU
/// through a channel pipeline against 8–9 µs for the same work on bare epoll (rtpengine 14 µs);
/// the pipeline, envelopes and pending-write bookkeeping per datagram were most of the cost.
public final class MediaEventLoop: EventLoop, @unchecked Sendable {
    // Shared with other threads (under `lock`).
    private let lock = NIOLock()
    private var tasks: [@Sendable () -> Void] = []
    private var incomingTimers: [Timer] = []
    private var shutdownRequested = false
    private var shutdownCallbacks: [(DispatchQueue, @Sendable ((any Error)?) -> Void)] = []
    private var nextTimerID: UInt64 = 1

    // The loop thread's own state.
    private let poller: Int32
    private let wakeFD: Int32
    private var timers = Heap<Timer>()
    /// Registered sockets by token (their epoll data); freed tokens are reused.
    private var sockets: [MediaSocket?] = []
    private var freeTokens: [Int] = []
    private var loopThread = pthread_t()
    private let started = DispatchSemaphore(value: 0)

    struct Timer: Comparable {
        var deadline: UInt64
        var id: UInt64
        /// Set by `Scheduled.cancel()` from any thread; a cancelled timer is dropped when due.
        var cancelled: NIOLockedValueBox<Bool>
        var task: () -> Void
        static func < (a: Timer, b: Timer) -> Bool { (a.deadline, a.id) < (b.deadline, b.id) }
        static func == (a: Timer, b: Timer) -> Bool { a.id == b.id }
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(name: String) throws {
        var wake: Int32 = -1
        poller = cmio_poller_open(&wake)
        guard poller >= 0 else { throw SetupError(description: "epoll/eventfd: errno \(errno)") }
        wakeFD = wake
        let thread = Thread { [self] in
            loopThread = pthread_self()
            started.signal()
            run()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
        started.wait()
    }

    // MARK: - EventLoop

    public var inEventLoop: Bool { pthread_equal(pthread_self(), loopThread) != 0 }

    public func execute(_ task: @escaping @Sendable () -> Void) {
        let wake = lock.withLock { () -> Bool in
            tasks.append(task)
            return tasks.count == 1
        }
        if wake, !inEventLoop { cmio_wake(wakeFD) }
    }

    @discardableResult
    public func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        let promise: EventLoopPromise<T> = makePromise()
        let id = lock.withLock { () -> UInt64 in
            defer { nextTimerID &+= 1 }
            return nextTimerID
        }
        let cancelled = NIOLockedValueBox(false)
        let timer = Timer(deadline: deadline.uptimeNanoseconds, id: id, cancelled: cancelled) {
            // Timers run on this loop, so the promise is isolated to it.
            do { promise.assumeIsolatedUnsafeUnchecked().succeed(try task()) } catch { promise.fail(error) }
        }
        if inEventLoop {
            timers.insert(timer)
        } else {
            lock.withLock { incomingTimers.append(timer) }
            cmio_wake(wakeFD)
        }
        return Scheduled(promise: promise) {
            cancelled.withLockedValue { $0 = true }
            promise.fail(EventLoopError.cancelled)
        }
    }

    @discardableResult
    public func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: .now() + delay, task)
    }

    public func preconditionInEventLoop(file: StaticString, line: UInt) {
        precondition(inEventLoop, "not on the media loop", file: file, line: line)
    }

    public func preconditionNotInEventLoop(file: StaticString, line: UInt) {
        precondition(!inEventLoop, "on the media loop", file: file, line: line)
    }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        lock.withLock {
            shutdownRequested = true
            shutdownCallbacks.append((queue, callback))
        }
        cmio_wake(wakeFD)
    }

    // MARK: - Sockets (loop thread only)

    /// Registers a socket with the poller; its `onDatagram` is called on this loop.
    func register(_ socket: MediaSocket) throws {
        preconditionInEventLoop()
        let token = freeTokens.popLast() ?? sockets.count
        guard cmio_poller_add(poller, socket.fd, UInt64(token)) == 0 else {
            if token < sockets.count { freeTokens.append(token) }
            throw SetupError(description: "epoll_ctl: errno \(errno)")
        }
        if token == sockets.count { sockets.append(socket) } else { sockets[token] = socket }
        socket.token = token
    }

    func deregister(_ socket: MediaSocket) {
        preconditionInEventLoop()
        guard let token = socket.token else { return }
        _ = cmio_poller_remove(poller, socket.fd)
        sockets[token] = nil
        freeTokens.append(token)
        socket.token = nil
    }

    // MARK: - The loop

    private func run() {
        var tokens = [UInt64](repeating: 0, count: 128)
        while true {
            let timeout = nextTimeoutNanoseconds()
            let ready = Int(tokens.withUnsafeMutableBufferPointer { cmio_poller_wait(poller, wakeFD, $0.baseAddress, 128, timeout) })
            for token in tokens[0..<ready] where token != .max {
                sockets[Int(token)]?.readable()
            }
            if runTasks() { break }
            runTimers()
        }
        for socket in sockets { socket?.closeFromLoop() }
        sockets.removeAll()
        _ = runTasks()
        cmio_poller_close(poller, wakeFD)
        let callbacks = lock.withLock { shutdownCallbacks }
        for (queue, callback) in callbacks { queue.async { callback(nil) } }
    }

    /// Nanoseconds until the next timer (-1: none); 0 with tasks waiting.
    private func nextTimeoutNanoseconds() -> Int64 {
        let (hasTasks, incoming) = lock.withLock { () -> (Bool, [Timer]) in
            defer { incomingTimers.removeAll(keepingCapacity: true) }
            return (!tasks.isEmpty || shutdownRequested, incomingTimers)
        }
        for timer in incoming { timers.insert(timer) }
        if hasTasks { return 0 }
        guard let next = timers.min else { return -1 }
        let now = DispatchTime.now().uptimeNanoseconds
        guard next.deadline > now else { return 0 }
        return Int64(min(next.deadline - now, 60_000_000_000))
    }

    /// Runs the submitted tasks; returns whether shutdown was requested.
    private func runTasks() -> Bool {
        let (batch, shutdown) = lock.withLock { () -> ([@Sendable () -> Void], Bool) in
            defer { tasks.removeAll(keepingCapacity: true) }
            return (tasks, shutdownRequested)
        }
        for task in batch { task() }
        return shutdown
    }

    private func runTimers() {
        let now = DispatchTime.now().uptimeNanoseconds
        while let next = timers.min, next.deadline <= now {
            let timer = timers.removeMin()
            // Checked one by one: a task may cancel a timer that is due in the same round.
            if !timer.cancelled.withLockedValue({ $0 }) { timer.task() }
        }
    }
}

/// The media engine's loops: one per core by default.
public final class MediaEventLoopGroup: EventLoopGroup, @unchecked Sendable {  // immutable after init
    public let loops: [MediaEventLoop]
    private let counter = NIOLockedValueBox(0)

    public init(numberOfThreads: Int = System.coreCount) throws {
        loops = try (0..<max(1, numberOfThreads)).map { try MediaEventLoop(name: "media-\($0)") }
    }

    /// One loop per core, shared by every engine that does not bring its own group; never shut down.
    public static let shared: MediaEventLoopGroup = {
        do { return try MediaEventLoopGroup() } catch { fatalError("media loops cannot start: \(error)") }
    }()

    /// The next loop, round robin.
    public func nextLoop() -> MediaEventLoop {
        let i = counter.withLockedValue { value -> Int in
            defer { value &+= 1 }
            return value
        }
        return loops[i % loops.count]
    }

    public func next() -> any EventLoop { nextLoop() }

    public func makeIterator() -> EventLoopIterator { EventLoopIterator(loops) }

    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        let remaining = NIOLockedValueBox(loops.count)
        for loop in loops {
            loop.shutdownGracefully(queue: queue) { _ in
                if remaining.withLockedValue({ value -> Int in
                    value -= 1
                    return value
                }) == 0 { callback(nil) }
            }
        }
    }
}
