import CUDPBatch
import Dispatch
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// Sends G.711-sized RTP for N bridged calls in both directions (50 packets/s each way,
/// spread evenly over every 20 ms) from two sockets, and measures what comes back: count, and
/// one-way delay from the send time written into each payload to the kernel's receive time
/// (SO_TIMESTAMPNS).
///
/// The generator is the measuring instrument, so it stays out of the figure: it runs on one
/// thread of its own with batched system calls (sendmmsg/recvmmsg) paced by a 1 ms timer, and
/// the arrival time is the kernel's, not when this thread got round to reading. What remains in
/// the delay is the loopback path and the relay (its wake-up, queueing and processing).
final class LoadGenerator: @unchecked Sendable {  // the thread owns the sockets and counters; `control` is locked
    /// The generator's caller-side and agent-side ports of one call.
    struct Endpoints {
        var callerPort: Int
        var agentPort: Int
    }

    struct Target {
        /// Port the caller side sends to (relay leg A) and the agent side sends to (relay leg B).
        var callerSendsTo: Int
        var agentSendsTo: Int
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private struct Control {
        var targets: [Target] = []
        var sending = false
        var measureFrom: Int64 = .max
        var measureUntil: Int64 = .max
        var quit = false
    }

    struct Snapshot {
        var sent = 0
        var received = 0
        /// Packets sent inside the measuring window (what the relay's CPU time is divided by).
        var sentInWindow = 0
        /// One-way delay histogram in microseconds (last bucket collects everything above).
        var histogram = [UInt32](repeating: 0, count: 200_001)
    }

    let callerFD: Int32
    let agentFD: Int32
    let callerPort: Int
    let agentPort: Int
    private let control = NIOLockedValueBox(Control())
    private let cpuClock = NIOLockedValueBox<clockid_t?>(nil)
    private let finished = DispatchSemaphore(value: 0)
    private var result = Snapshot()  // written by the thread before `finished` is signalled

    init() throws {
        (callerFD, callerPort) = try openLoopbackUDP(receiveBuffer: 16 << 20)
        (agentFD, agentPort) = try openLoopbackUDP(receiveBuffer: 16 << 20)
        for fd in [callerFD, agentFD] where cudp_prepare_generator_socket(fd, 16 << 20) != 0 {
            throw Failure(description: "cannot turn on receive timestamps (errno \(errno))")
        }
        let thread = Thread { [self] in runLoop() }
        thread.name = "load-generator"
        thread.start()
    }

    /// CLOCK_REALTIME nanoseconds: the clock of the kernel's receive timestamps.
    static func now() -> Int64 { cudp_realtime_ns() }

    func start(targets: [Target]) {
        control.withLockedValue {
            $0.targets = targets
            $0.sending = true
        }
    }

    func measure(from: Int64, until: Int64) {
        control.withLockedValue {
            $0.measureFrom = from
            $0.measureUntil = until
        }
    }

    /// CPU seconds the generator's thread has used.
    func cpuSeconds() -> Double {
        cpuClock.withLockedValue { $0 }.map(threadCPUSeconds) ?? 0
    }

    func stop() {
        control.withLockedValue { $0.sending = false }
    }

    /// Ends the generator's thread and returns what it counted; the sockets are closed.
    func finish() -> Snapshot {
        control.withLockedValue { $0.quit = true }
        finished.wait()
        close(callerFD)
        close(agentFD)
        return result
    }

    // MARK: - The generator's thread

    private func runLoop() {
        let clock = currentThreadCPUClock()
        cpuClock.withLockedValue { $0 = clock }
        let timer = cudp_timer_open(1_000_000)
        var state = Snapshot()
        var sequence: [UInt16] = []
        var tick = 0
        let slotSize = 172
        var incomingBytes = [UInt8](repeating: 0, count: 64 * 256)
        var outgoingBytes: [UInt8] = []
        var outgoing: [cudp_outgoing] = []
        var incoming = [cudp_incoming](repeating: cudp_incoming(), count: 64)

        func receive(_ fd: Int32, measuring: Control) {
            incomingBytes.withUnsafeMutableBytes { raw in
                for i in 0..<64 {
                    incoming[i].bytes = raw.baseAddress!.advanced(by: i * 256).assumingMemoryBound(to: UInt8.self)
                    incoming[i].capacity = 256
                }
                while true {
                    let n = Int(cudp_receive_batch(fd, &incoming, 64))
                    if n == 0 { break }
                    for m in incoming[0..<n] where m.length >= 20 {
                        state.received += 1
                        let sentAt = UnsafeRawPointer(m.bytes!).advanced(by: 12).loadUnaligned(as: Int64.self)
                        guard sentAt >= measuring.measureFrom, sentAt < measuring.measureUntil else { continue }
                        let arrived = m.kernel_ns != 0 ? m.kernel_ns : cudp_realtime_ns()
                        let micros = max(0, Int((arrived - sentAt) / 1000))
                        state.histogram[min(micros, state.histogram.count - 1)] += 1
                    }
                }
            }
        }

        /// Every 1 ms, the calls whose index ≡ tick (mod 20) send one packet each way.
        func sendSlice(_ targets: [Target], measuring: Control) {
            if sequence.count != targets.count * 2 { sequence = Array(repeating: 0, count: targets.count * 2) }
            let slot = tick % 20
            tick += 1
            for direction in 0..<2 {
                outgoing.removeAll(keepingCapacity: true)
                let calls = Array(stride(from: slot, to: targets.count, by: 20))
                if outgoingBytes.count < calls.count * slotSize { outgoingBytes = [UInt8](repeating: 0xFF, count: calls.count * slotSize) }
                let sentAt = cudp_realtime_ns()
                outgoingBytes.withUnsafeMutableBytes { raw in
                    for (i, call) in calls.enumerated() {
                        let p = raw.baseAddress!.advanced(by: i * slotSize)
                        let seqIndex = call * 2 + direction
                        let seq = sequence[seqIndex]
                        sequence[seqIndex] = seq &+ 1
                        p.storeBytes(of: UInt8(0x80), as: UInt8.self)
                        p.storeBytes(of: UInt8(0), toByteOffset: 1, as: UInt8.self)  // PCMU
                        p.storeBytes(of: seq.bigEndian, toByteOffset: 2, as: UInt16.self)
                        p.storeBytes(of: (UInt32(seq) &* 160).bigEndian, toByteOffset: 4, as: UInt32.self)
                        p.storeBytes(of: UInt32(seqIndex + 1).bigEndian, toByteOffset: 8, as: UInt32.self)
                        p.storeBytes(of: sentAt, toByteOffset: 12, as: Int64.self)  // payload[0..8): send time
                        let port = direction == 0 ? targets[call].callerSendsTo : targets[call].agentSendsTo
                        outgoing.append(cudp_outgoing(bytes: p.assumingMemoryBound(to: UInt8.self), length: UInt32(slotSize), port: UInt16(port)))
                    }
                    let sent = Int(cudp_send_batch(direction == 0 ? callerFD : agentFD, outgoing, Int32(outgoing.count)))
                    state.sent += sent
                    if sentAt >= measuring.measureFrom, sentAt < measuring.measureUntil { state.sentInWindow += sent }
                }
            }
        }

        // The sockets are read on the timer, not when packets arrive: a sleeping reader would make
        // every packet the relay sends wake this thread, a cost (an inter-processor interrupt, on a
        // virtual machine an exit to the host) that a relay sending to a network card does not pay.
        // Arrival times are the kernel's, so reading late does not change them.
        while timer >= 0 {
            let expirations = cudp_timer_wait(timer)
            let now = control.withLockedValue { $0 }
            if now.quit { break }
            // Late wake-ups send the slices they missed (at most 20: one round of every call).
            for _ in 0..<min(Int(expirations), 20) where now.sending { sendSlice(now.targets, measuring: now) }
            receive(callerFD, measuring: now)
            receive(agentFD, measuring: now)
        }
        close(timer)
        result = state
        finished.signal()
    }
}

/// Percentile of a microsecond histogram.
func percentile(_ histogram: [UInt32], _ p: Double) -> Double {
    let total = histogram.reduce(0) { $0 + Int($1) }
    guard total > 0 else { return .nan }
    let target = Int((Double(total) * p).rounded(.up))
    var seen = 0
    for (micros, count) in histogram.enumerated() {
        seen += Int(count)
        if seen >= target { return Double(micros) / 1000 }
    }
    return Double(histogram.count) / 1000
}
