import Foundation
import NIOConcurrencyHelpers
import MediaEngine
import NIOCore
import SDP

/// A relay the benchmark drives: our MediaEngine (in a child process or this one), rtpengine,
/// the bare-epoll reference, or no relay at all (the baseline).
protocol RelayUnderTest {
    var name: String { get }
    /// Sets up one bridged call per element between the caller's and the agent's generator
    /// sockets; returns where each side sends.
    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target]
    /// CPU seconds the relay has used so far (its event-loop threads, or the whole rtpengine process).
    func cpuSeconds() async throws -> Double
    func tearDown() async throws
}

/// Our engine on its own event-loop group; CPU is read per loop thread (CLOCK_THREAD_CPUTIME_ID).
final class EngineRelay: RelayUnderTest {
    let name = "media-engine"
    let group: MediaEventLoopGroup
    let engine: MediaEngine
    var legs: [MediaLeg] = []

    init(threads: Int, kernelRelay: Bool) {
        group = try! MediaEventLoopGroup(numberOfThreads: threads)
        var configuration = MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1"))
        configuration.bindAddress = "127.0.0.1"
        configuration.kernelRelay = kernelRelay
        configuration.rtcpEnabled = false
        configuration.inactivityTimeout = .seconds(60)
        engine = MediaEngine(configuration: configuration, eventLoopGroup: group)
    }

    static func offer(port: Int) -> SessionDescription {
        SessionDescription(
            origin: Origin(sessionID: UInt64(port), sessionVersion: 1, address: "127.0.0.1"),
            connection: Connection(address: "127.0.0.1"),
            media: [MediaDescription(media: "audio", port: port, formats: ["0", "101"], attributes: [
                SDPAttribute("rtpmap", "0 PCMU/8000"), SDPAttribute("rtpmap", "101 telephone-event/8000"), SDPAttribute("fmtp", "101 0-16"),
            ])])
    }

    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target] {
        var targets: [LoadGenerator.Target] = []
        for call in calls {
            let (a, _) = try await engine.answer(offer: Self.offer(port: call.callerPort))
            let (b, _) = try await engine.answer(offer: Self.offer(port: call.agentPort), colocatedWith: a)
            _ = try await engine.bridge(a, b)
            legs += [a, b]
            targets.append(.init(callerSendsTo: a.localPort, agentSendsTo: b.localPort))
        }
        startProbe()
        return targets
    }

    func cpuSeconds() async throws -> Double {
        var total = 0.0
        for loop in group.makeIterator() {
            total += try await loop.submit { threadCPUSeconds(CLOCK_THREAD_CPUTIME_ID) }.get()
        }
        return total
    }

    /// Worst lateness of a 2 ms probe task on the relay loop (diagnoses stalls vs. socket waits).
    var probe: RepeatedTask?
    let worstLag = NIOLockedValueBox<Int64>(0)
    let lags = NIOLockedValueBox<[Int64]>([])
    func startProbe() {
        let loop = group.next()
        let expected = NIOLockedValueBox(NIODeadline.now() + .milliseconds(2))
        let worst = worstLag
        let lags = self.lags
        probe = loop.scheduleRepeatedTask(initialDelay: .milliseconds(2), delay: .milliseconds(2)) { _ in
            let now = NIODeadline.now()
            let lag = (now - expected.withLockedValue { $0 }).nanoseconds / 1000
            worst.withLockedValue { $0 = max($0, lag) }
            lags.withLockedValue { $0.append(lag) }
            expected.withLockedValue { $0 = now + .milliseconds(2) }
        }
    }

    var reportLag = true

    func lagSummary() -> String {
        let sorted = lags.withLockedValue { $0 }.sorted()
        guard !sorted.isEmpty else { return "relay loop probe: no samples" }
        return "relay loop probe lag µs: p50 \(sorted[sorted.count / 2]) p99 \(sorted[sorted.count * 99 / 100]) max \(sorted.last!)"
    }

    func tearDown() async throws {
        probe?.cancel()
        if reportLag { print("  " + lagSummary()) }
        for leg in legs { await leg.close() }
        legs.removeAll()
        try await group.shutdownGracefully()
    }
}

/// No relay: each side sends straight to the other. Its run is the baseline the others'
/// machine-wide CPU is compared with (the generator's own work and the loopback path).
struct NoRelay: RelayUnderTest {
    let name = "none"
    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target] {
        calls.map { .init(callerSendsTo: $0.agentPort, agentSendsTo: $0.callerPort) }
    }
    func cpuSeconds() async throws -> Double { 0 }
    func tearDown() async throws {}
}
