// Relay benchmark: N bridged G.711 calls (50 packets/s each way) through our MediaEngine
// and, in the same run, through rtpengine in userspace mode. Reports loss, one-way delay
// through the relay (written into each packet when the generator sends it, read against the
// kernel's receive timestamp when it comes back: an upper bound on the added delay that
// includes the loopback path but not the generator's own scheduling), and relay CPU per 100
// calls and per packet.
//
//   swift run -c release MediaRelayBenchmark [--calls 500,1000,2000] [--seconds 10]
//       [--relay-threads 1] [--relays engine,rtpengine] [--repeat 3]
//   swift run -c release MediaRelayBenchmark --capacity 100:50:2500 [--p99-limit 1.0] ...
//
// `--capacity start:step:max` searches, for each relay, the most calls it relays with zero
// loss and p99 under the limit (ms): calls grow by `step` until a run fails twice in a row.
//
// `engine` runs MediaEngine in a child process (like rtpengine); `engine-inprocess` shares
// the generator's process; `reference` is the same relay work on bare epoll (see ReferenceRelay).
//
// Runs alternate between the relays; with --repeat the summary gives medians, because on a
// shared machine single runs vary with other load.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var calls = [500, 1000, 2000]
    var seconds = 10.0
    var relayThreads = 1
    var relays = ["engine", "rtpengine"]
    var repeats = 1
    var capacity: (start: Int, step: Int, max: Int)?
    var p99Limit = 1.0

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
            case "--capacity":
                let parts = value.split(separator: ":").compactMap { Int($0) }
                if parts.count == 3 { capacity = (parts[0], parts[1], parts[2]) } else { print("--capacity wants start:step:max") }
            case "--p99-limit": p99Limit = Double(value) ?? p99Limit
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
    /// Packets the generator sent in the measuring window (both directions).
    var sentInWindow: Int
    var p50: Double
    var p99: Double
    var p999: Double
    var cpuSeconds: Double
    var seconds: Double
    var generatorCPUSeconds: Double

    var lost: Int { sent - received }
    /// Relay CPU share of one core per 100 calls, in percent.
    var cpuPercentPer100Calls: Double { cpuSeconds / seconds * 100 * 100 / Double(calls) }
    /// Relay CPU per relayed packet, microseconds (packets actually sent in the window, not the nominal rate).
    var cpuMicrosPerPacket: Double { cpuSeconds * 1e6 / Double(max(sentInWindow, 1)) }
    var packetsPerSecond: Double { Double(sentInWindow) / seconds }
}

func run(relay: any RelayUnderTest, calls: Int, seconds: Double) async throws -> Result {
    let generator = try LoadGenerator()
    let targets = try await relay.setUp(calls: calls, callerPort: generator.callerPort, agentPort: generator.agentPort)
    generator.start(targets: targets)
    try await Task.sleep(for: .seconds(2))  // warm-up: latching, caches
    let from = LoadGenerator.now()
    let cpuStart = try await relay.cpuSeconds()
    let generatorStart = generator.cpuSeconds()
    generator.measure(from: from, until: from + Int64(seconds * 1e9))
    try await Task.sleep(for: .seconds(seconds))
    let cpuEnd = try await relay.cpuSeconds()
    let generatorEnd = generator.cpuSeconds()
    generator.stop()
    try await Task.sleep(for: .milliseconds(500))  // drain in-flight packets
    let counted = generator.finish()
    try await relay.tearDown()
    return Result(relay: relay.name, calls: calls, sent: counted.sent, received: counted.received, sentInWindow: counted.sentInWindow, p50: percentile(counted.histogram, 0.5),
                  p99: percentile(counted.histogram, 0.99), p999: percentile(counted.histogram, 0.999), cpuSeconds: cpuEnd - cpuStart,
                  seconds: seconds, generatorCPUSeconds: generatorEnd - generatorStart)
}

if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "--serve-engine" {
    try await serveEngine(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}
let options = Options(CommandLine.arguments)

func makeRelay(_ name: String) -> (any RelayUnderTest)? {
    switch name {
    case "rtpengine":
        do { return try RTPEngineRelay(threads: options.relayThreads) } catch {
            print("rtpengine: skipped (\(error))")
            return nil
        }
    case "engine-inprocess": return EngineRelay(threads: options.relayThreads)
    case "reference": return ReferenceRelay(threads: options.relayThreads)
    default: return EngineProcessRelay(threads: options.relayThreads)
    }
}

func printRow(_ r: Result) {
    print(String(format: "%-14@ %6d %10.0f %6d %8.3f %7.3f %9.3f %15.2f %14.2f %15.1f", r.relay as NSString, r.calls, r.packetsPerSecond, r.lost,
                 r.p50, r.p99, r.p999, r.cpuPercentPer100Calls, r.cpuMicrosPerPacket, r.generatorCPUSeconds / r.seconds * 100))
}

if let capacity = options.capacity {
    print("capacity search: zero loss and p99 < \(options.p99Limit) ms, \(options.relayThreads) relay thread(s), \(options.seconds) s per run")
    print("relay           calls  packets/s   lost   p50 ms  p99 ms  p99.9 ms  CPU%/100 calls  CPU µs/packet  generator CPU%")
    var found: [(String, Result?)] = []
    for name in options.relays {
        var best: Result?
        var calls = capacity.start
        var failures = 0
        while calls <= capacity.max {
            guard let relay = makeRelay(name) else { break }
            let r = try await run(relay: relay, calls: calls, seconds: options.seconds)
            printRow(r)
            if r.lost == 0, r.p99 < options.p99Limit {
                best = r
                failures = 0
                calls += capacity.step
            } else {
                failures += 1
                if failures == 2 { break }  // a single failed run on a shared machine is retried once
            }
        }
        found.append((name, best))
    }
    print("")
    for (name, best) in found {
        if let best {
            print(String(format: "%-14@ capacity %d calls (p99 %.3f ms, CPU %.2f%% of a core per 100 calls, %.2f µs/packet)", best.relay as NSString,
                         best.calls, best.p99, best.cpuPercentPer100Calls, best.cpuMicrosPerPacket))
        } else {
            print("\(name): no run met the limit")
        }
    }
    exit(0)
}

print("relay           calls  packets/s   lost   p50 ms  p99 ms  p99.9 ms  CPU%/100 calls  CPU µs/packet  generator CPU%")
var results: [Result] = []
for calls in options.calls {
  for _ in 0..<options.repeats {
    for name in options.relays {
        guard let relay = makeRelay(name) else { continue }
        let r = try await run(relay: relay, calls: calls, seconds: options.seconds)
        results.append(r)
        printRow(r)
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
    for name in ["media-engine", "reference", "rtpengine"] {
        let runs = results.filter { $0.relay == name && $0.calls == calls }
        guard !runs.isEmpty else { continue }
        perPacket[name] = median(runs.map(\.cpuMicrosPerPacket))
        print(String(format: "%-14@ %6d calls: lost %d, p99 %.3f ms, CPU %.2f%% of a core per 100 calls, %.2f µs/packet", name as NSString, calls,
                     runs.map(\.lost).max() ?? 0, median(runs.map(\.p99)), median(runs.map(\.cpuPercentPer100Calls)), perPacket[name]!))
    }
    for ours in ["media-engine", "reference"] {
        if let mine = perPacket[ours], let theirs = perPacket["rtpengine"] {
            print(String(format: "%d calls: CPU per packet %@ / rtpengine = %.2f", calls, ours as NSString, mine / theirs))
        }
    }
}
