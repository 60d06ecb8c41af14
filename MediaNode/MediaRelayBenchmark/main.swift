// Relay benchmark: N bridged G.711 calls (50 packets/s each way) through our MediaEngine
// and, in the same run, through rtpengine in userspace mode. Reports loss, one-way delay
// through the relay (written into each packet when the generator sends it, read against the
// kernel's receive timestamp when it comes back: an upper bound on the added delay that
// includes the loopback path but not the generator's own scheduling), and CPU:
//   * relay CPU: the relay's own threads (rtpengine: its process);
//   * added CPU: the whole machine's busy time (/proc/stat) per packet, less that of a run of
//     the same calls with no relay at all (`none`: each side sends straight to the other). This
//     is the figure that counts work done in the kernel on the relay's behalf, which the
//     in-kernel relay does entirely and a userspace relay partly (its sendto delivers the
//     packet), so it is the one the relays are compared by.
//
//   swift run -c release MediaRelayBenchmark [--calls 500,1000,2000] [--seconds 10]
//       [--relay-threads 1] [--generator-threads 1] [--relays engine,rtpengine] [--repeat 3]
//   swift run -c release MediaRelayBenchmark --capacity 100:50:2500 [--p99-limit 1.0] ...
//
// `--capacity start:step:max` searches, for each relay, the most calls it relays with zero
// loss and p99 under the limit (ms): calls grow by `step` until a run fails twice in a row.
//
// `engine` runs MediaEngine in a child process (like rtpengine) with the in-kernel relay when
// the host allows it; `engine-loops` the same with the kernel relay off (the packet loops relay
// every packet); `engine-inprocess` shares the generator's process; `reference` is the loops'
// relay work on bare epoll (see ReferenceRelay); `none` is the baseline.
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
    var generatorThreads = 1
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
            case "--generator-threads": generatorThreads = Int(value) ?? generatorThreads
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
    /// Busy CPU of the whole machine in the window.
    var machineCPUSeconds: Double

    var lost: Int { sent - received }
    var machineMicrosPerPacket: Double { machineCPUSeconds * 1e6 / Double(max(sentInWindow, 1)) }
    /// Relay CPU share of one core per 100 calls, in percent.
    var cpuPercentPer100Calls: Double { cpuSeconds / seconds * 100 * 100 / Double(calls) }
    /// Relay CPU per relayed packet, microseconds (packets actually sent in the window, not the nominal rate).
    var cpuMicrosPerPacket: Double { cpuSeconds * 1e6 / Double(max(sentInWindow, 1)) }
    var packetsPerSecond: Double { Double(sentInWindow) / seconds }
}

/// How long every thread on the machine (kernel threads included) has run, by thread id, from
/// each thread's `schedstat`: the scheduler's own nanosecond count. /proc/stat would be simpler
/// but is sampled at the tick (250 Hz here), which aliases with the generator's 1 ms timer.
/// Softirq work is counted in the thread it interrupted (on loopback, the sender); what runs
/// while a CPU is idle is not counted, in every run alike.
func threadRuntimes() -> [Int: UInt64] {
    var runtimes: [Int: UInt64] = [:]
    let fm = FileManager.default
    for pid in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] where pid.first?.isNumber == true {
        for tid in (try? fm.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let id = Int(tid), let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/schedstat", encoding: .utf8),
                let first = text.split(separator: " ").first, let value = UInt64(first)
            else { continue }
            runtimes[id] = value
        }
    }
    return runtimes
}

/// CPU seconds the machine spent between two `threadRuntimes()`: threads that ended in between
/// (a previous run's relay shutting down) drop out instead of counting negative.
func machineBusySeconds(from start: [Int: UInt64], to end: [Int: UInt64]) -> Double {
    Double(end.reduce(UInt64(0)) { sum, thread in sum + (thread.value - min(thread.value, start[thread.key] ?? 0)) }) / 1e9
}

func run(relay: any RelayUnderTest, calls: Int, seconds: Double, generatorThreads: Int) async throws -> Result {
    // Calls are dealt round-robin to the generator threads, each with its own pair of sockets.
    let generators = try (0..<max(1, generatorThreads)).map { _ in try LoadGenerator() }
    let endpoints = (0..<calls).map { call in
        let generator = generators[call % generators.count]
        return LoadGenerator.Endpoints(callerPort: generator.callerPort, agentPort: generator.agentPort)
    }
    let targets = try await relay.setUp(calls: endpoints)
    for (index, generator) in generators.enumerated() {
        generator.start(targets: stride(from: index, to: calls, by: generators.count).map { targets[$0] })
    }
    try await Task.sleep(for: .seconds(2))  // warm-up: latching, hand-over to the kernel, caches
    let from = LoadGenerator.now()
    let cpuStart = try await relay.cpuSeconds()
    let generatorStart = generators.map { $0.cpuSeconds() }.reduce(0, +)
    let machineStart = threadRuntimes()
    for generator in generators { generator.measure(from: from, until: from + Int64(seconds * 1e9)) }
    try await Task.sleep(for: .seconds(seconds))
    let machineEnd = threadRuntimes()
    let cpuEnd = try await relay.cpuSeconds()
    let generatorEnd = generators.map { $0.cpuSeconds() }.reduce(0, +)
    for generator in generators { generator.stop() }
    try await Task.sleep(for: .milliseconds(500))  // drain in-flight packets
    var counted = LoadGenerator.Snapshot()
    for part in generators.map({ $0.finish() }) {
        counted.sent += part.sent
        counted.received += part.received
        counted.sentInWindow += part.sentInWindow
        for (micros, count) in part.histogram.enumerated() where count > 0 { counted.histogram[micros] += count }
    }
    try await relay.tearDown()
    return Result(relay: relay.name, calls: calls, sent: counted.sent, received: counted.received, sentInWindow: counted.sentInWindow, p50: percentile(counted.histogram, 0.5),
                  p99: percentile(counted.histogram, 0.99), p999: percentile(counted.histogram, 0.999), cpuSeconds: cpuEnd - cpuStart,
                  seconds: seconds, generatorCPUSeconds: generatorEnd - generatorStart, machineCPUSeconds: machineBusySeconds(from: machineStart, to: machineEnd))
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
    case "engine-inprocess": return EngineRelay(threads: options.relayThreads, kernelRelay: true)
    case "engine-loops": return EngineProcessRelay(threads: options.relayThreads, kernelRelay: false)
    case "reference": return ReferenceRelay(threads: options.relayThreads)
    case "none": return NoRelay()
    default: return EngineProcessRelay(threads: options.relayThreads, kernelRelay: true)
    }
}

let header = "relay           calls  packets/s   lost   p50 ms  p99 ms  p99.9 ms  relay CPU%/100 calls  relay µs/packet  generator CPU%  machine CPU%"
func printRow(_ r: Result) {
    print(String(format: "%-14@ %6d %10.0f %6d %8.3f %7.3f %9.3f %21.2f %16.2f %15.1f %13.1f", r.relay as NSString, r.calls, r.packetsPerSecond, r.lost,
                 r.p50, r.p99, r.p999, r.cpuPercentPer100Calls, r.cpuMicrosPerPacket, r.generatorCPUSeconds / r.seconds * 100,
                 r.machineCPUSeconds / r.seconds * 100))
}

if let capacity = options.capacity {
    print("capacity search: zero loss and p99 < \(options.p99Limit) ms, \(options.relayThreads) relay thread(s), \(options.seconds) s per run")
    print(header)
    var found: [(String, Result?)] = []
    for name in options.relays {
        var best: Result?
        var calls = capacity.start
        var failures = 0
        while calls <= capacity.max {
            guard let relay = makeRelay(name) else { break }
            let r = try await run(relay: relay, calls: calls, seconds: options.seconds, generatorThreads: options.generatorThreads)
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

print(header)
var results: [Result] = []
let measured = ["none"] + options.relays.filter { $0 != "none" }
for calls in options.calls {
  for _ in 0..<options.repeats {
    for name in measured {
        guard let relay = makeRelay(name) else { continue }
        let r = try await run(relay: relay, calls: calls, seconds: options.seconds, generatorThreads: options.generatorThreads)
        results.append(r)
        printRow(r)
    }
}
}
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

print("\nmedians over \(options.repeats) run(s); added CPU = machine CPU per packet less the no-relay run's:")
for calls in options.calls {
    let baseline = results.filter { $0.relay == "none" && $0.calls == calls }
    let baselinePerPacket = median(baseline.map(\.machineMicrosPerPacket))
    var added: [String: Double] = [:]
    for name in ["none", "media-engine", "engine-loops", "reference", "rtpengine"] {
        let runs = results.filter { $0.relay == name && $0.calls == calls }
        guard !runs.isEmpty else { continue }
        added[name] = median(runs.map { $0.machineMicrosPerPacket - baselinePerPacket })
        print(String(format: "%-14@ %6d calls: lost %d, p99 %.3f ms, relay CPU %.2f µs/packet, added CPU %.2f µs/packet (%.1f%% of a core per 100 calls)",
                     name as NSString, calls, runs.map(\.lost).max() ?? 0, median(runs.map(\.p99)), median(runs.map(\.cpuMicrosPerPacket)),
                     added[name]!, added[name]! * 10_000 / 1e6 * 100))  // 100 calls = 10,000 packets/s
    }
    for ours in ["media-engine", "engine-loops", "reference"] {
        if let mine = added[ours], let theirs = added["rtpengine"] {
            print(String(format: "%d calls: added CPU per packet %@ / rtpengine = %.2f", calls, ours as NSString, mine / theirs))
        }
    }
}
