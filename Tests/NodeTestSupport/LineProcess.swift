import Foundation
import Synchronization

/// An external program driven line by line: stdout lines are collected and can be awaited,
/// stdin lines sent. Used to drive real peers (pjsua2, SIPp) from tests.
package final class LineProcess: Sendable {
    private let process: Process
    private let input: FileHandle
    private let state = Mutex<(lines: [String], partial: Data, waiters: [Waiter], ended: Bool)>(([], Data(), [], false))

    private struct Waiter {
        let id: UInt64
        let label: String
        let matches: @Sendable (String) -> Bool
        let continuation: CheckedContinuation<String, any Error>
    }
    private let nextWaiter = Atomic<UInt64>(0)
    private let exit = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
    private let exited = DispatchSemaphore(value: 0)

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
                    var remaining: [Waiter] = []
                    for w in s.waiters {
                        if w.matches(line) { w.continuation.resume(returning: line) } else { remaining.append(w) }
                    }
                    s.waiters = remaining
                }
                if chunk.isEmpty {
                    for w in s.waiters { w.continuation.resume(throwing: Timeout(waitingFor: w.label, lines: s.lines)) }
                    s.waiters = []
                    handle.readabilityHandler = nil
                }
            }
        }
        process.terminationHandler = { [self] p in
            let waiters = self.exit.withLock { e in
                e.status = p.terminationStatus
                defer { e.waiters = [] }
                return e.waiters
            }
            for w in waiters { w.resume(returning: p.terminationStatus) }
            self.exited.signal()
        }
        try process.run()
    }

    /// The exit status, once the program has exited (without blocking a thread).
    package func exitStatus() async -> Int32 {
        await withCheckedContinuation { c in
            let status: Int32? = exit.withLock { e in
                if let s = e.status { return s }
                e.waiters.append(c)
                return nil
            }
            if let status { c.resume(returning: status) }
        }
    }

    /// The process id (for signals from elsewhere).
    package var pid: Int32 { process.processIdentifier }

    /// Every line so far.
    package var lines: [String] { state.withLock { $0.lines } }

    /// The first line starting with `prefix` (already seen or still to come), or `Timeout`.
    package func waitForLine(_ prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitForLine(label: prefix, timeout: timeout) { $0.hasPrefix(prefix) }
    }

    /// The first line containing `text`.
    package func waitForLineContaining(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitForLine(label: text, timeout: timeout) { $0.contains(text) }
    }

    /// Returns once `count` lines (seen so far or still to come) contain `text`.
    package func waitForLines(containing text: String, count: Int, timeout: Duration = .seconds(60)) async throws {
        let seen = Atomic<Int>(0)
        _ = try await waitForLine(label: "\(count)× \(text)", timeout: timeout) { line in
            line.contains(text) && seen.add(1, ordering: .relaxed).newValue >= count
        }
    }

    private func waitForLine(label: String, timeout: Duration, matches: @escaping @Sendable (String) -> Bool) async throws -> String {
        let id = nextWaiter.add(1, ordering: .relaxed).newValue
        return try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                try await withCheckedThrowingContinuation { c in
                    self.state.withLock { s in
                        if let line = s.lines.first(where: matches) { c.resume(returning: line) }
                        else if s.ended { c.resume(throwing: Timeout(waitingFor: label, lines: s.lines)) }
                        else { s.waiters.append(Waiter(id: id, label: label, matches: matches, continuation: c)) }
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let lines = self.lines
                self.state.withLock { s in
                    for w in s.waiters where w.id == id { w.continuation.resume(throwing: Timeout(waitingFor: label, lines: lines)) }
                    s.waiters.removeAll { $0.id == id }
                }
                throw Timeout(waitingFor: label, lines: lines)
            }
            let line = try await group.next()!
            group.cancelAll()
            return line
        }
    }

    /// Sends a signal to the program.
    package func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Writes one line to the program's stdin.
    package func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    /// Waits for exit and returns the status.
    /// Blocks until the program has exited (the termination handler reports it; `waitUntilExit`
    /// alongside a termination handler crashed in swift-corelibs-foundation).
    package func waitForExit() -> Int32 {
        if let status = exit.withLock({ $0.status }) { return status }
        exited.wait()
        exited.signal() // for any other waiter
        return exit.withLock { $0.status } ?? process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if the program is still there a second later: a child started from
    /// a thread that blocks signals inherits that mask, and SIPp then never sees the SIGTERM
    /// (phones of earlier tests were found still running minutes later).
    package func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        if exited.wait(timeout: .now() + .seconds(1)) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
        } else {
            exited.signal()  // for any other waiter
        }
    }
}
