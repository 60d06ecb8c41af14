import Foundation

/// A child process whose stdout is read line by line as it is written.
final class LineProcess: Sendable {
    let lines: AsyncStream<String>
    private let process: Process

    init(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let buffer = LockedBuffer()
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                continuation.finish()
                return
            }
            for line in buffer.append(data) { continuation.yield(line) }
        }
        self.lines = stream
        self.process = process
        try process.run()
    }

    /// Waits for the process to exit and returns its status.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { cont in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                cont.resume(returning: self.process.terminationStatus)
            }
        }
    }

    func terminate() { if process.isRunning { process.terminate() } }

    private final class LockedBuffer: @unchecked Sendable { // guarded by `lock`
        private let lock = NSLock()
        private var pending = Data()

        func append(_ data: Data) -> [String] {
            lock.lock()
            defer { lock.unlock() }
            pending.append(data)
            var out: [String] = []
            while let nl = pending.firstIndex(of: 0x0A) {
                out.append(String(decoding: pending[pending.startIndex..<nl], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...nl)
            }
            return out
        }
    }
}

extension AsyncStream<String>.Iterator {
    /// Reads lines until one starts with `prefix`; returns it (nil if the stream ended). Lines seen go to `log`.
    mutating func next(startingWith prefix: String, log: inout [String]) async -> String? {
        while let line = await next() {
            log.append(line)
            if line.hasPrefix(prefix) { return line }
        }
        return nil
    }
}
