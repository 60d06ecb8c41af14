import Foundation
import NodeTestSupport
import Testing

/// Locates and runs peers nobody here wrote (sipp, python3 with pjsua2).
enum ExternalTool {
    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) not found on PATH; the test command installs it (infra/deps)" }
    }

    static func path(_ name: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
            return "\(dir)/\(name)"
        }
        throw Missing(name: name)
    }

    /// Runs a process to completion; stdout and stderr go to a file (SIPp writes a lot).
    static func run(_ executable: String, _ arguments: [String], outputFile: URL) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { cont in
            process.terminationHandler = { p in
                try? handle.close()
                cont.resume(returning: p.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                cont.resume(throwing: error)
            }
        }
    }

    static func temporaryDirectory(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sip-\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A UDP port that was free a moment ago (for peers that need a fixed port).
    static func freeUDPPort() -> Int { NodeTestSupport.freeUDPPort() }

    /// Path to a file under infra/ of this repository.
    static func infraFile(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("infra").appendingPathComponent(relative).path
    }
}
