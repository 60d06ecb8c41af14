import CallControl
import Foundation
import NodeTestSupport
import Testing

@Suite("CDR spool survives SIGKILL")
struct CdrSpoolCrashTests {
    @Test("every CDR the writer reported durable is intact after SIGKILL, and no torn file is left as a CDR", arguments: [40, 173])
    func killMidStream(after reported: Int) async throws {
        let dir = try TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try mediaNodeExecutable())
        process.arguments = ["spool-writer", "--spool", dir.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read ids as the child reports them; kill it hard once `reported` arrived (it keeps writing meanwhile).
        var ids: [String] = []
        var buffer = Data()
        let handle = pipe.fileHandleForReading
        while ids.count < reported {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                ids.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                buffer.removeSubrange(buffer.startIndex...newline)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(ids.count >= reported)

        let spool = try CdrSpool(root: dir.path) // reopening removes interrupted temporaries
        let pending = Set(try spool.pendingIDs())
        for id in ids {
            #expect(pending.contains(id), "reported durable but missing: \(id)")
            let cdr = try spool.load(id)
            #expect(cdr?.id == id)
            #expect(cdr?.disposition == .answered)
        }
        // Anything beyond what was reported is complete too (rename is atomic) — every file decodes.
        for id in pending { #expect(try spool.load(id) != nil) }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/pending").filter { !$0.hasSuffix(".json") }
        #expect(leftovers.isEmpty)
    }
}
