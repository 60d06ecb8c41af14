import Foundation
import Synchronization

/// An external program driven line by line: stdout lines are collected and can be awaited,
/// stdin lines sent. Used to drive real peers (pjsua2, SIPp) from tests.
package final class LineProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let state = Mutex<(lines: [String], partial: Data, waiters: [(String, CheckedContinuation<String, any Error>)], ended: Bool)>(([], Data(), [], false))

    package struct Timeout: Error, CustomStringConvertible {
        package let waitingFor: String
        package let lines: [String]
        package var description: String { "no line starting with \"\(waitingFor)\"; got: \(lines.suffix(20))" }
    }

    /// Starts `executable` (an absolute path or a name on PATH).
    package init(_ executable: String, _ arguments: [String]) throws {
        process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let out = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = inPipe
        input = inPipe.fileHandleForWriting
        out.fileHandleForReading.readabilityHandler = { [self] handle in
            let chunk = handle.availableData
            self.state.withLock { s in
                if chunk.isEmpty { s.ended = true }
                s.partial.append(chunk)
                while let nl = s.partial.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: s.partial[s.partial.startIndex..<nl], as: UTF8.self)
                    s.partial.removeSubrange(s.partial.startIndex...nl)
                    s.lines.append(line)
                    var remaining: [(String, CheckedContinuation<String, any Error>)] = []
                    for (prefix, w) in s.waiters {
                        if line.hasPrefix(prefix) { w.resume(returning: line) } else { remaining.append((prefix, w)) }
                    }
                    s.waiters = remaining
                }
                if chunk.isEmpty {
                    for (prefix, w) in s.waiters { w.resume(throwing: Timeout(waitingFor: prefix, lines: s.lines)) }
                    s.waiters = []
                    handle.readabilityHandler = nil
                }
            }
        }
        try process.run()
    }

    /// Every line so far.
    package var lines: [String] { state.withLock { $0.lines } }

    /// The first line starting with `prefix` (already seen or still to come), or `Timeout`.
    package func waitForLine(_ prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { c in
                    self.state.withLock { s in
                        if let line = s.lines.first(where: { $0.hasPrefix(prefix) }) { c.resume(returning: line) }
                        else if s.ended { c.resume(throwing: Timeout(waitingFor: prefix, lines: s.lines)) }
                        else { s.waiters.append((prefix, c)) }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                let lines = self.lines
                self.state.withLock { s in
                    for (p, w) in s.waiters where p == prefix { w.resume(throwing: Timeout(waitingFor: prefix, lines: lines)) }
                    s.waiters.removeAll { $0.0 == prefix }
                }
                throw Timeout(waitingFor: prefix, lines: lines)
            }
            let line = try await group.next()!
            group.cancelAll()
            return line
        }
    }

    /// Writes one line to the program's stdin.
    package func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// Waits for exit and returns the status.
    package func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    package func terminate() {
        if process.isRunning { process.terminate() }
    }
}
