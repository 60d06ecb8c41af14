import CMediaIO
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import RTPCore

#if canImport(Glibc)
import Glibc
#endif

/// A reference point, not a product: the same relay work as MediaEngine's bridged legs
/// (symmetric latching, the outgoing stream's SSRC/sequence/timestamp rewrite through
/// `OutgoingRTPStream`) written directly on epoll and recvfrom/sendto (the media engine's
/// CMediaIO calls), one thread per loop, no timers, no tasks, no ByteBuffer. Comparing it with
/// `media-engine` shows what the engine's event loop and leg state add. `--relays reference`.
final class ReferenceRelay: RelayUnderTest, @unchecked Sendable {  // legs are touched only by their thread
    let name = "reference"
    let threads: Int
    private let stop = NIOLockedValueBox(false)
    private let clocks = NIOLockedValueBox<[clockid_t]>([])
    private let done = DispatchSemaphore(value: 0)

    private struct Leg {
        var fd: Int32
        var peer: Int
        var remote: sockaddr_in
        var outgoing: OutgoingRTPStream
    }

    init(threads: Int) {
        self.threads = threads
    }

    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target] {
        var perThread = [[Leg]](repeating: [], count: threads)
        var targets: [LoadGenerator.Target] = []
        var rng = SystemRandomNumberGenerator()
        func endpoint(_ port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            address.sin_port = UInt16(port).bigEndian
            return address
        }
        for (call, endpoints) in calls.enumerated() {
            let (callerPort, agentPort) = (endpoints.callerPort, endpoints.agentPort)
            let (a, portA) = try openLoopbackUDP(receiveBuffer: 1 << 20), (b, portB) = try openLoopbackUDP(receiveBuffer: 1 << 20)
            let t = call % threads
            let base = perThread[t].count
            func stream() -> OutgoingRTPStream { OutgoingRTPStream(ssrc: rng.next(), initialSequence: rng.next(), initialTimestamp: rng.next()) }
            perThread[t].append(Leg(fd: a, peer: base + 1, remote: endpoint(callerPort), outgoing: stream()))
            perThread[t].append(Leg(fd: b, peer: base, remote: endpoint(agentPort), outgoing: stream()))
            targets.append(.init(callerSendsTo: portA, agentSendsTo: portB))
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
        let clock = currentThreadCPUClock()
        clocks.withLockedValue { $0.append(clock) }
        var wake: Int32 = -1
        let poller = cmio_poller_open(&wake)
        for (i, leg) in legs.enumerated() { cmio_poller_add(poller, leg.fd, UInt64(i)) }
        var tokens = [UInt64](repeating: 0, count: 128)
        var buffer = [UInt8](repeating: 0, count: 2048)
        var from = sockaddr_storage()
        var fromLength = socklen_t(0)
        var started = DispatchTime.now().uptimeNanoseconds
        while true {
            let n = Int(cmio_poller_wait(poller, wake, &tokens, 128, 100_000_000))
            if n == 0, stop.withLockedValue({ $0 }) { break }
            let now = DispatchTime.now().uptimeNanoseconds
            if now - started > 100_000_000 {  // look at the stop flag ten times a second
                started = now
                if stop.withLockedValue({ $0 }) { break }
            }
            let sampleClock = now / 125_000  // 8 kHz
            buffer.withUnsafeMutableBufferPointer { bytes in
                for token in tokens[0..<n] where token != .max {
                    let i = Int(token)
                    for _ in 0..<4 {
                        let length = Int(cmio_receive(legs[i].fd, bytes.baseAddress!, 2048, &from, &fromLength))
                        if length < 12 { break }
                        let source = withUnsafeBytes(of: from) { $0.load(as: sockaddr_in.self) }
                        if legs[i].remote.sin_addr.s_addr != source.sin_addr.s_addr || legs[i].remote.sin_port != source.sin_port {
                            legs[i].remote = source  // symmetric RTP
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
                        var to = legs[p].remote
                        _ = withUnsafePointer(to: &to) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                                cmio_send(legs[p].fd, bytes.baseAddress!, Int32(length), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                            }
                        }
                    }
                }
            }
        }
        for leg in legs { cmio_close(leg.fd) }
        cmio_poller_close(poller, wake)
        done.signal()
    }

    func cpuSeconds() async throws -> Double {
        clocks.withLockedValue { $0.reduce(0) { $0 + threadCPUSeconds($1) } }
    }

    func tearDown() async throws {
        stop.withLockedValue { $0 = true }
        for _ in 0..<threads { done.wait() }
    }
}
