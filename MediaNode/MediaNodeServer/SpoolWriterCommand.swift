import ArgumentParser
import CallControl
import Foundation

/// Writes test CDRs into a spool, printing each id once `append` returned (the CDR is durable).
/// The crash test kills this process with SIGKILL mid-stream and checks every printed id survived.
struct SpoolWriterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spool-writer", shouldDisplay: false)

    @Option(help: "Spool root directory.")
    var spool: String

    @Option(help: "How many CDRs to write (0 = until killed).")
    var count: Int = 0

    @Option(help: "Tenant id put in the CDRs.")
    var tenant: String = "00000000-0000-4000-8000-000000000001"

    func run() async throws {
        let s = try CdrSpool(root: spool)
        var n = 0
        while count == 0 || n < count {
            let id = UUID().uuidString.lowercased()
            try s.append(CdrSpool.testRecord(id: id, tenant: tenant, sequence: n))
            FileHandle.standardOutput.write(Data((id + "\n").utf8))
            n += 1
        }
    }
}
