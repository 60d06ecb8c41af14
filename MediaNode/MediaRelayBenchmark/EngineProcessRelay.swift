import Foundation

/// Our engine in its own process, like rtpengine: the benchmark starts
/// `MediaRelayBenchmark --serve-engine <threads> <kernel 0|1>`, writes the generator's ports of
/// each call to its stdin, reads the legs' ports from its stdout, and asks it for its loop
/// threads' CPU time over stdin. With `kernelRelay` false the packet loops relay everything.
final class EngineProcessRelay: RelayUnderTest {
    let name: String
    let threads: Int
    let kernelRelay: Bool
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffered = Data()

    init(threads: Int, kernelRelay: Bool) {
        self.threads = threads
        self.kernelRelay = kernelRelay
        name = kernelRelay ? "media-engine" : "engine-loops"
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

    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target] {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--serve-engine", String(threads), kernelRelay ? "1" : "0"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        for call in calls { send("\(call.callerPort) \(call.agentPort)") }
        send("SETUP")
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
    let relay = EngineRelay(threads: values[0], kernelRelay: values[1] == 1)
    var calls: [LoadGenerator.Endpoints] = []
    while let line = readLine(), line != "SETUP" {
        let ports = line.split(separator: " ").compactMap { Int($0) }
        if ports.count == 2 { calls.append(.init(callerPort: ports[0], agentPort: ports[1])) }
    }
    let targets = try await relay.setUp(calls: calls)
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
