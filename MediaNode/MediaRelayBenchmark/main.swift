// Relay benchmark: N bridged G.711 calls (50 packets/s each way) through our MediaEngine
// and, in the same run, through rtpengine in userspace mode. Reports loss, one-way delay
// through the relay (generator → relay → generator, an upper bound on the added delay),
// and relay CPU per 100 calls and per packet.
//
//   swift run -c release MediaRelayBenchmark [--calls 500,1000,2000] [--seconds 10]
//       [--relay-threads 1] [--relays engine,rtpengine]
import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var calls = [500, 1000, 2000]
    var seconds = 10.0
    var relayThreads = 1
    var relays = ["engine", "rtpengine"]

    init(_ arguments: [String]) {
        var it = arguments.dropFirst().makeIterator()
        while let flag = it.next() {
            let value = it.next() ?? ""
            switch flag {
            case "--calls": calls = value.split(separator: ",").compactMap { Int($0) }
            case "--seconds": seconds = Double(value) ?? seconds
            case "--relay-threads": relayThreads = Int(value) ?? relayThreads
            case "--relays": relays = value.split(separator: ",").map(String.init)
            default: print("unknown flag \(flag)")
            }
        }
    }
}

struct Result {
    var relay: String
    var calls: Int
    var sent: Int
    var received: Int
    var p50: Double
    var p99: Double
    var p999: Double
    var cpuSeconds: Double
    var seconds: Double

    var lost: Int { sent - received }
    /// Relay CPU share of one core per 100 calls, in percent.
    var cpuPercentPer100Calls: Double { cpuSeconds / seconds * 100 * 100 / Double(calls) }
    /// Relay CPU per relayed packet, microseconds.
    var cpuMicrosPerPacket: Double { cpuSeconds * 1e6 / (Double(calls) * 100 * seconds) }
}

func run(relay: any RelayUnderTest, calls: Int, seconds: Double) async throws -> Result {
    let generatorGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let generator = try await LoadGenerator(group: generatorGroup)
    let targets = try await relay.setUp(calls: calls, callerPort: generator.callerPort, agentPort: generator.agentPort)
    try await generator.start(targets: targets)
    try await Task.sleep(for: .seconds(2))  // warm-up: latching, caches
    let from = LoadGenerator.now()
    let cpuStart = try await relay.cpuSeconds()
    try await generator.measure(from: from, until: from + UInt64(seconds * 1e9))
    try await Task.sleep(for: .seconds(seconds))
    let cpuEnd = try await relay.cpuSeconds()
    try await generator.stop()
    try await Task.sleep(for: .milliseconds(500))  // drain in-flight packets
    let (sent, received, histogram) = try await generator.snapshot()
    await generator.close()
    try await generatorGroup.shutdownGracefully()
    try await relay.tearDown()
    return Result(relay: relay.name, calls: calls, sent: sent, received: received, p50: percentile(histogram, 0.5),
                  p99: percentile(histogram, 0.99), p999: percentile(histogram, 0.999), cpuSeconds: cpuEnd - cpuStart, seconds: seconds)
}

let options = Options(CommandLine.arguments)
print("relay           calls  packets/s   lost   p50 ms  p99 ms  p99.9 ms  CPU%/100 calls  CPU µs/packet")
var results: [Result] = []
for calls in options.calls {
    for name in options.relays {
        let relay: any RelayUnderTest
        switch name {
        case "rtpengine":
            do { relay = try RTPEngineRelay(threads: options.relayThreads) } catch {
                print("rtpengine: skipped (\(error))")
                continue
            }
        default: relay = EngineRelay(threads: options.relayThreads)
        }
        let r = try await run(relay: relay, calls: calls, seconds: options.seconds)
        results.append(r)
        print(String(format: "%-14@ %6d %10d %6d %8.3f %7.3f %9.3f %15.2f %14.2f", r.relay as NSString, r.calls, r.calls * 100, r.lost,
                     r.p50, r.p99, r.p999, r.cpuPercentPer100Calls, r.cpuMicrosPerPacket))
    }
}
for calls in options.calls {
    let ours = results.first { $0.relay == "media-engine" && $0.calls == calls }
    let theirs = results.first { $0.relay == "rtpengine" && $0.calls == calls }
    if let ours, let theirs {
        print(String(format: "%d calls: CPU per packet media-engine / rtpengine = %.2f", calls, ours.cpuMicrosPerPacket / theirs.cpuMicrosPerPacket))
    }
}
