import Foundation
import NodeTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `media-node` process against the tools that scan the internet for SIP servers (issue 12):
/// sipvicious's svmap, svwar and svcrack, and a flood of 20,000 requests/s from one address while
/// a real caller (SIPp) places calls from another. Every peer is bounded in time.
@Suite("media-node against SIP scanners", .serialized)
struct SIPScannerTests {
    static let domain = "acme.sip.test" // FakeControlPlane's tenant; its agent is `lina`
    static let number = "+861012345678"

    /// Runs a node on the fake control plane's snapshot; `body` gets its SIP port and the process.
    func withNode(_ name: String, _ body: @Sendable (Int, LineProcess) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let port = freeUDPPort()
            let node = try launchMediaNode(controlPlaneURL: url.absoluteString, bootstrapToken: FakeControlPlane.bootstrapToken,
                                           sipPort: port, rtpPorts: "31200-31299", dataDirectory: dir.path, name: name)
            defer { node.terminate() }
            _ = try await node.waitForLineContaining("configuration applied", timeout: .seconds(20))
            try await body(port, node)
        }
    }

    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(path).path
    }

    /// Runs a tool to its end (each is bounded by its own timeout options) and returns its output.
    static func run(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, output: [String]) {
        let p = try LineProcess(tool, arguments)
        let status = await p.exitStatus()
        return (status, p.lines)
    }

    /// A sipvicious tool sending from `address` (infra/attack/sipvicious.py makes its -b work).
    static func sipvicious(from address: String, _ tool: String, _ arguments: [String]) async throws -> (status: Int32, output: [String]) {
        try await run("python3", [repositoryFile("infra/attack/sipvicious.py"), address, tool] + arguments)
    }

    /// PJSIP registers the agent from 127.0.0.1 with the right password.
    static func agentRegisters(port: Int) async throws -> String? {
        let pj = try LineProcess("python3", [repositoryFile("infra/pjsip/pjsua_peer.py"), "--registrar", "sip:127.0.0.1:\(port)",
                                             "--user", "lina", "--password", FakeControlPlane.agentPassword, "--domain", domain, "--timeout", "10"])
        defer { pj.terminate() }
        return try await pj.waitForLine("REGISTER", timeout: .seconds(15))
    }

    @Test("svmap finds the node; svwar tells no agent from a missing one; svcrack is banned before its guess; the agent still registers")
    func sipvicious() async throws {
        try await withNode("scanner-test") { port, node in
            let work = try TemporaryDirectory()
            let svmap = try await Self.sipvicious(from: "127.0.0.5", "svmap", ["-p", "\(port)", "127.0.0.1"])
            print("svmap:\n" + svmap.output.joined(separator: "\n"))
            #expect(svmap.output.contains { $0.contains("callcenter-media-node") }, "svmap: \(svmap.output)")

            // svwar guesses usernames by REGISTER; `lina` exists, the rest do not. --force: scan even
            // though an unknown name is challenged like a known one (svwar's own sanity check stops it).
            let names = ["lina", "1001", "admin", "nosuchagent", "100", "200", "lina2", "test"]
            try names.joined(separator: "\n").write(toFile: work.path + "/names.txt", atomically: true, encoding: .utf8)
            let svwar = try await Self.sipvicious(from: "127.0.0.4", "svwar", ["-p", "\(port)", "--domain", Self.domain, "-d", work.path + "/names.txt",
                                                     "--force", "--maximumtime", "3", "127.0.0.1"])
            print("svwar:\n" + svwar.output.joined(separator: "\n"))
            #expect(!svwar.output.contains { $0.contains("| lina ") || $0.contains("reqauth") || $0.contains("noauth") || $0.contains("weird") },
                    "svwar found an extension: \(svwar.output)")
            #expect(svwar.output.contains { $0.contains("Found nothing") || $0.contains("found nothing") }, "svwar: \(svwar.output)")

            // svcrack tries passwords for `lina` from 127.0.0.3; the right one is the 12th.
            var passwords = (1...30).map { "guess\($0)" }
            passwords.insert(FakeControlPlane.agentPassword, at: Int(ProcessInfo.processInfo.environment["CC_SVCRACK_AT"] ?? "") ?? 11)
            try passwords.joined(separator: "\n").write(toFile: work.path + "/passwords.txt", atomically: true, encoding: .utf8)
            // Stock svcrack aborts on our first (SHA-256) challenge; the wrapper answers the MD5 one.
            let svcrack = try await Self.sipvicious(from: "127.0.0.3", "svcrack", ["-p", "\(port)", "--domain", Self.domain, "-u", "lina",
                                                         "-d", work.path + "/passwords.txt", "--maximumtime", "3", "127.0.0.1"])
            print("svcrack:\n" + svcrack.output.joined(separator: "\n"))
            #expect(!svcrack.output.contains { $0.contains(FakeControlPlane.agentPassword) }, "svcrack found the password: \(svcrack.output)")
            let ban = try await node.waitForLineContaining("SIP source banned", timeout: .seconds(5))
            #expect(ban.contains("127.0.0.3") && ban.contains("authentication_failures"), "\(ban)")

            // The agent's phone, at its own address, is not locked out.
            #expect(try await Self.agentRegisters(port: port) == "REGISTER 200")
        }
    }

    /// utime + stime of `pid` in seconds (/proc/<pid>/stat fields 14 and 15).
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("20,000 requests/s for 6 s from 127.0.0.2 get it banned; SIPp's calls from 127.0.0.1 all complete meanwhile")
    func flood() async throws {
        try await withNode("flood-test") { port, node in
            let work = try TemporaryDirectory()
            // CC_FLOOD_RATE=0 measures the same calls without the flood (the CPU baseline).
            let rate = Int(ProcessInfo.processInfo.environment["CC_FLOOD_RATE"] ?? "") ?? 20_000
            let cpuBefore = Self.cpuSeconds(node.pid)
            let started = ContinuousClock.now
            let flooder = try LineProcess("python3", [Self.repositoryFile("infra/attack/sip_flood.py"), "--target", "127.0.0.1:\(port)",
                                                      "--bind", "127.0.0.2", "--rate", "\(rate)", "--seconds", "6"])
            defer { flooder.terminate() }
            _ = try await flooder.waitForLine("READY", timeout: .seconds(10))
            // The flood's first INVITEs are answered (200 OK, never ACKed) until the ban a few ms in;
            // the ban ends those dialogs, so they do not hold the tenant's two call slots.
            if rate > 0 {
                let ban = try await node.waitForLineContaining("SIP source banned", timeout: .seconds(5))
                #expect(ban.contains("127.0.0.2"), "\(ban)")
            }
            // A real caller during the rest of the flood: 20 calls at 5 per second, one at a time (the
            // tenant's limit is 2), each held 200 ms; SIPp's exit status 0 means every one was answered,
            // ACKed and hung up.
            let sipp = try LineProcess("sh", ["-c", "cd '\(work.path)' && exec sipp 127.0.0.1:\(port) -sn uac -s '\(Self.number)' -i 127.0.0.1 "
                                                  + "-p \(freeUDPPort()) -mp \(freeUDPPort() & ~1) -r 5 -l 1 -m 20 -d 200 -timeout 30s -nostdin "
                                                  + "-trace_stat -stf stat.csv -trace_err -error_file errors.log"])
            defer { sipp.terminate() }
            let sippStatus = await sipp.exitStatus()
            let sent = try await flooder.waitForLine("SENT", timeout: .seconds(20))
            let answered = try await flooder.waitForLine("RECEIVED", timeout: .seconds(5))
            let elapsed = ContinuousClock.now - started
            let cpu = Self.cpuSeconds(node.pid) - cpuBefore
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let stats = (try? String(contentsOfFile: work.path + "/stat.csv", encoding: .utf8)) ?? ""
            print("flood: \(sent), \(answered); SIPp exit \(sippStatus) after \(seconds) s; node CPU \(cpu) s = \(Int(100 * cpu / seconds))% of a core")
            print("SIPp stats (last line): \(stats.split(separator: "\n").last ?? "")")
            let errors = (try? String(contentsOfFile: work.path + "/errors.log", encoding: .utf8)) ?? ""
            #expect(sippStatus == 0, "SIPp: \(errors.suffix(3000))")
            #expect(sent.hasPrefix("SENT ") && (Int(sent.split(separator: " ")[1]) ?? 0) >= rate * 11 / 2, "\(sent)")
            // The flooder heard next to nothing back: a ban drops its datagrams unread.
            #expect((Int(answered.split(separator: " ").last ?? "") ?? .max) < 1_000, "\(answered)")
        }
    }
}
