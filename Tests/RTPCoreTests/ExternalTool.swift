import Foundation
import Testing

/// Runs reference tools (sox, espeak-ng) installed from Debian packages by the test command.
enum ExternalTool {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) not found on PATH; install the Debian package listed in infra/deps/apt.txt" }
    }

    struct Failed: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let stderr: String
        var description: String { "\(command) exited \(status): \(stderr)" }
    }

    static func path(_ name: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in dirs + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Missing(name: name)
    }

    /// Runs a tool and returns its stdout bytes.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path(name))
        process.arguments = arguments
        let out = Pipe()
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? nil : input
        try process.run()
        if let stdin {
            // Feed stdin from another thread so a tool that writes while reading cannot deadlock.
            let writer = input.fileHandleForWriting
            let thread = Thread {
                writer.write(Data(stdin))
                try? writer.close()
            }
            thread.start()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? err.close()
        let errorData = (try? Data(contentsOf: errURL)) ?? Data()
        guard process.terminationStatus == 0 else {
            throw Failed(command: "\(name) \(arguments.joined(separator: " "))", status: process.terminationStatus,
                         stderr: String(decoding: errorData, as: UTF8.self))
        }
        return [UInt8](data)
    }
}

/// sox helpers producing raw 8 kHz signed 16-bit mono.
enum Sox {
    static let raw16 = ["-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1"]

    static func samples(_ bytes: [UInt8]) -> [Int16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }

    static func bytes(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
    }

    /// Two sines from `sox synth`, mixed with linear gains, `seconds` long, no dither.
    static func dualTone(_ f1: Double, _ f2: Double, gain1: Double, gain2: Double, seconds: Double) throws -> [Int16] {
        samples(try ExternalTool.run("sox", ["-D", "-n", "-c", "2"] + raw16.dropLast(2) + ["-c", "1", "-",
            "synth", String(seconds), "sine", String(f1), "sine", String(f2),
            "remix", "1v\(gain1),2v\(gain2)"]))
    }

    /// Silence from sox.
    static func silence(seconds: Double) throws -> [Int16] {
        samples(try ExternalTool.run("sox", ["-D", "-n"] + raw16 + ["-", "trim", "0", String(seconds)]))
    }
}
