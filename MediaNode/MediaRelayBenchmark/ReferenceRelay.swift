import CUDPBatch
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import RTPCore

#if canImport(Glibc)
import Glibc
#endif

/// A reference point, not a product: the same relay work as MediaEngine's bridged legs
/// (symmetric latching, the outgoing stream's SSRC/sequence/timestamp rewrite through
/// `OutgoingRTPStream`) written directly on epoll and recvfrom/sendto, one thread per loop.
/// Comparing it with `media-engine` separates what Swift costs from what a SwiftNIO channel
/// pipeline per datagram costs. `--relays reference` selects it.
final class ReferenceRelay: RelayUnderTest, @unchecked Sendable {  // legs are touched only by their thread
    let name = "reference"
    let threads: Int
    private let stop = NIOLockedValueBox(false)
    private let clocks = NIOLockedValueBox<[clockid_t]>([])
    private let done = DispatchSemaphore(value: 0)

    private struct Leg {
        var fd: Int32
        var peer: Int
        var remoteAddress: UInt32
        var remotePort: UInt16
        var outgoing: OutgoingRTPStream
    }

    init(threads: Int) {
        self.threads = threads
    }

    func setUp(calls: Int, callerPort: Int, agentPort: Int) async throws -> [LoadGenerator.Target] {
        let loopback = UInt32(0x7F00_0001).bigEndian
        var perThread = [[Leg]](repeating: [], count: threads)
        var targets: [LoadGenerator.Target] = []
        var rng = SystemRandomNumberGenerator()
        for call in 0..<calls {
            let a = cudp_open_plain(1 << 20), b = cudp_open_plain(1 << 20)
            guard a >= 0, b >= 0 else { throw LoadGenerator.Failure(description: "reference relay: cannot open sockets") }
            let t = call % threads
            let base = perThread[t].count
            func stream() -> OutgoingRTPStream { OutgoingRTPStream(ssrc: rng.next(), initialSequence: rng.next(), initialTimestamp: rng.next()) }
            perThread[t].append(Leg(fd: a, peer: base + 1, remoteAddress: loopback, remotePort: UInt16(callerPort), outgoing: stream()))
            perThread[t].append(Leg(fd: b, peer: base, remoteAddress: loopback, remotePort: UInt16(agentPort), outgoing: stream()))
            targets.append(.init(callerSendsTo: Int(cudp_local_port(a)), agentSendsTo: Int(cudp_local_port(b))))
        }
        for legs in perThread {
            let thread = Thread { [self] in run(legs) }
            thread.start()
        }
        while clocks.withLockedValue({ $0.count }) < threads { try await Task.sleep(for: .milliseconds(10)) }
        return targets
    }

    private func run(_ initial: [Leg]) {
        var legs = initial
        var clock = clockid_t()
        pthread_getcpuclockid(pthread_self(), &clock)
        clocks.withLockedValue { $0.append(clock) }
        let poller = cudp_epoll_create()
        for (i, leg) in legs.enumerated() { cudp_epoll_add(poller, leg.fd, UInt64(i)) }
        var tokens = [UInt64](repeating: 0, count: 64)
        var buffer = [UInt8](repeating: 0, count: 2048)
        var started = DispatchTime.now().uptimeNanoseconds
        while true {
            let n = Int(cudp_epoll_wait(poller, &tokens, 64, 100))
            if n == 0, stop.withLockedValue({ $0 }) { break }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - started > 100_000_000 {  // look at the stop flag ten times a second
                started = now
                if stop.withLockedValue({ $0 }) { break }
            }
            let sampleClock = now / 125_000  // 8 kHz
            buffer.withUnsafeMutableBufferPointer { bytes in
                for token in tokens[0..<n] {
                    let i = Int(token)
                    while true {
                        var from: UInt32 = 0, port: UInt16 = 0
                        let length = Int(cudp_recv_from(legs[i].fd, bytes.baseAddress!, 2048, &from, &port))
                        if length < 12 { break }
                        if legs[i].remoteAddress != from || legs[i].remotePort != port {  // symmetric RTP
                            legs[i].remoteAddress = from
                            legs[i].remotePort = port
                        }
                        let raw = UnsafeMutableRawPointer(bytes.baseAddress!)
                        let second = raw.load(fromByteOffset: 1, as: UInt8.self)
                        let timestamp = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                        let ssrc = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                        let p = legs[i].peer
                        let header = legs[p].outgoing.next(from: .relay(leg: UInt32(i), ssrc: ssrc), inputTimestamp: timestamp,
                                                           now: sampleClock, marker: second & 0x80 != 0, payloadBytes: length - 12)
                        raw.storeBytes(of: (header.marker ? 0x80 : 0) | (second & 0x7F), toByteOffset: 1, as: UInt8.self)
                        raw.storeBytes(of: header.sequenceNumber.bigEndian, toByteOffset: 2, as: UInt16.self)
                        raw.storeBytes(of: header.timestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
                        raw.storeBytes(of: legs[p].outgoing.ssrc.bigEndian, toByteOffset: 8, as: UInt32.self)
                        _ = cudp_send_to(legs[p].fd, bytes.baseAddress!, Int32(length), legs[p].remoteAddress, legs[p].remotePort)
                    }
                }
            }
        }
        for leg in legs { close(leg.fd) }
        close(poller)
        done.signal()
    }

    func cpuSeconds() async throws -> Double {
        clocks.withLockedValue { clocks in
            clocks.reduce(0) { total, clock in
                var ts = timespec()
                clock_gettime(clock, &ts)
                return total + Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
            }
        }
    }

    func tearDown() async throws {
        stop.withLockedValue { $0 = true }
        for _ in 0..<threads { done.wait() }
    }
}
