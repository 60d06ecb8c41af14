import Foundation

/// Our engine in its own process, like rtpengine: the benchmark starts
/// `MediaRelayBenchmark --serve-engine <callerPort> <agentPort> <calls> <threads>`, reads the
/// legs' ports from its stdout, and asks it for its loop threads' CPU time over stdin.
final class EngineProcessRelay: RelayUnderTest {
    let name = "media-engine"
    let threads: Int
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffered = Data()

    init(threads: Int) {
        self.threads = threads
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[buffered.startIndex..<newline], as: UTF8.self)
                buffered = Data(buffered[(newline + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw RTPEngineRelay.Failure(description: "engine process ended") }
            buffered.append(chunk)
        }
    }

    private func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func setUp(calls: Int, callerPort: Int, agentPort: Int) async throws -> [LoadGenerator.Target] {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--serve-engine", String(callerPort), String(agentPort), String(calls), String(threads)]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var targets: [LoadGenerator.Target] = []
        while true {
            let line = try readLine()
            if line == "READY" { break }
            let ports = line.split(separator: " ").compactMap { Int($0) }
            if ports.count == 2 { targets.append(.init(callerSendsTo: ports[0], agentSendsTo: ports[1])) }
        }
        return targets
    }

    func cpuSeconds() async throws -> Double {
        send("CPU")
        return Double(try readLine()) ?? .nan
    }

    func tearDown() async throws {
        send("QUIT")
        let lag = try? readLine()
        if let lag { print("  \(lag)") }
        process.waitUntilExit()
    }
}

/// The child side of `EngineProcessRelay`.
func serveEngine(_ arguments: [String]) async throws {
    let values = arguments.compactMap { Int($0) }
    let (callerPort, agentPort, calls, threads) = (values[0], values[1], values[2], values[3])
    let relay = EngineRelay(threads: threads)
    let targets = try await relay.setUp(calls: calls, callerPort: callerPort, agentPort: agentPort)
    for t in targets { emit("\(t.callerSendsTo) \(t.agentSendsTo)") }
    emit("READY")
    while let line = readLine() {
        switch line {
        case "CPU":
            emit(String(try await relay.cpuSeconds()))
                default:
            relay.reportLag = false
            emit(relay.lagSummary())
                    try await relay.tearDown()
            return
        }
    }
}

/// Writes a line to stdout unbuffered (the parent reads it through a pipe).
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
