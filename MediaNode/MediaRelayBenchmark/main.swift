// Relay benchmark: N bridged G.711 calls (50 packets/s each way) through our MediaEngine
// and, in the same run, through rtpengine in userspace mode. Reports loss, one-way delay
// through the relay (generator → relay → generator, an upper bound on the added delay),
// and relay CPU per 100 calls and per packet.
//
//   swift run -c release MediaRelayBenchmark [--calls 500,1000,2000] [--seconds 10]
//       [--relay-threads 1] [--relays engine,rtpengine] [--repeat 3]
//
// `engine` runs MediaEngine in a child process (like rtpengine); `engine-inprocess` shares
// the generator's process.
//
// Runs alternate between the relays; with --repeat the summary gives medians, because on a
// shared machine single runs vary with other load.
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
    var repeats = 1

    init(_ arguments: [String]) {
        var it = arguments.dropFirst().makeIterator()
        while let flag = it.next() {
            let value = it.next() ?? ""
            switch flag {
            case "--calls": calls = value.split(separator: ",").compactMap { Int($0) }
            case "--seconds": seconds = Double(value) ?? seconds
            case "--relay-threads": relayThreads = Int(value) ?? relayThreads
            case "--relays": relays = value.split(separator: ",").map(String.init)
            case "--repeat": repeats = Int(value) ?? repeats
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
    var generatorCPUSeconds: Double

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
    let generatorStart = try await generator.cpuSeconds()
    try await generator.measure(from: from, until: from + UInt64(seconds * 1e9))
    try await Task.sleep(for: .seconds(seconds))
    let cpuEnd = try await relay.cpuSeconds()
    let generatorEnd = try await generator.cpuSeconds()
    try await generator.stop()
    try await Task.sleep(for: .milliseconds(500))  // drain in-flight packets
    let (sent, received, histogram) = try await generator.snapshot()
    await generator.close()
    try await generatorGroup.shutdownGracefully()
    try await relay.tearDown()
    return Result(relay: relay.name, calls: calls, sent: sent, received: received, p50: percentile(histogram, 0.5),
                  p99: percentile(histogram, 0.99), p999: percentile(histogram, 0.999), cpuSeconds: cpuEnd - cpuStart, seconds: seconds,
                  generatorCPUSeconds: generatorEnd - generatorStart)
}

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "--serve-engine" {
    try await serveEngine(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let options = Options(CommandLine.arguments)
print("relay           calls  packets/s   lost   p50 ms  p99 ms  p99.9 ms  CPU%/100 calls  CPU µs/packet  generator CPU%")
var results: [Result] = []
for calls in options.calls {
  for _ in 0..<options.repeats {
    for name in options.relays {
        let relay: any RelayUnderTest
        switch name {
        case "rtpengine":
            do { relay = try RTPEngineRelay(threads: options.relayThreads) } catch {
                print("rtpengine: skipped (\(error))")
                continue
            }
        case "engine-inprocess": relay = EngineRelay(threads: options.relayThreads)
        default: relay = EngineProcessRelay(threads: options.relayThreads)
        }
        let r = try await run(relay: relay, calls: calls, seconds: options.seconds)
        results.append(r)
        print(String(format: "%-14@ %6d %10d %6d %8.3f %7.3f %9.3f %15.2f %14.2f %15.1f", r.relay as NSString, r.calls, r.calls * 100, r.lost,
                     r.p50, r.p99, r.p999, r.cpuPercentPer100Calls, r.cpuMicrosPerPacket, r.generatorCPUSeconds / r.seconds * 100))
    }
}
}
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

print("\nmedians over \(options.repeats) run(s):")
for calls in options.calls {
    var perPacket: [String: Double] = [:]
    for name in ["media-engine", "rtpengine"] {
        let runs = results.filter { $0.relay == name && $0.calls == calls }
        guard !runs.isEmpty else { continue }
        perPacket[name] = median(runs.map(\.cpuMicrosPerPacket))
        print(String(format: "%-14@ %6d calls: lost %d, p99 %.3f ms, CPU %.2f%% of a core per 100 calls, %.2f µs/packet", name as NSString, calls,
                     runs.map(\.lost).max() ?? 0, median(runs.map(\.p99)), median(runs.map(\.cpuPercentPer100Calls)), perPacket[name]!))
    }
    if let ours = perPacket["media-engine"], let theirs = perPacket["rtpengine"] {
        print(String(format: "%d calls: CPU per packet media-engine / rtpengine = %.2f", calls, ours / theirs))
    }
}
