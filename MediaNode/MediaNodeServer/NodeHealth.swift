import CallControl
import Foundation
import NIOPosix
import SIPUserAgent
import Synchronization

/// What `/readyz` checks: the node can take calls only with a configuration snapshot, SIP
/// listening, a CDR spool it can write, a prompt engine and RTP ports for a whole call; and not
/// while it drains.
struct NodeHealth: Sendable {
    /// RTP ports one call needs: the caller's leg and the agent's leg it is offered to (each
    /// leg one even RTP port with RTCP on the odd one above). With fewer free the node could
    /// answer a caller but not ring an agent, so it stops saying ready.
    static let rtpPortsPerCall = 2

    /// Facts other services report as they happen.
    final class Flags: Sendable {
        private let state = Mutex(false)
        var draining: Bool { state.withLock { $0 } }
        func setDraining() { state.withLock { $0 = true } }
    }

    /// One check's outcome: nil when fine, else what is wrong.
    struct Report: Sendable {
        var problems: [(check: String, detail: String)]
        var ready: Bool { problems.isEmpty }
    }

    let flags: Flags
    let userAgent: SIPUserAgent
    let spool: CdrSpool
    let hasSnapshot: @Sendable () async -> Bool
    /// The espeak-ng found at start, or nil.
    let promptEngine: String?
    /// The media engine's RTP ports (available, capacity); nil when the OS picks ports.
    let rtpPorts: @Sendable () -> (available: Int, capacity: Int)?

    func check() async -> Report {
        var problems: [(String, String)] = []
        if !(await hasSnapshot()) { problems.append(("snapshot", "no configuration snapshot yet (control plane not reached, none saved)")) }
        if !(await userAgent.isListening) { problems.append(("sip", "SIP is not listening yet")) }
        let spool = self.spool
        let spoolProblem: String?
        do { spoolProblem = try await NIOThreadPool.singleton.runIfActive { spool.writeProbe() } } catch { spoolProblem = "spool check could not run: \(error)" }
        if let spoolProblem { problems.append(("cdr_spool", spoolProblem)) }
        if promptEngine == nil { problems.append(("prompt_engine", PromptEngine.missingMessage)) }
        if let ports = rtpPorts(), ports.available < Self.rtpPortsPerCall {
            problems.append(("rtp_ports", "\(ports.available) of \(ports.capacity) RTP ports free; a call needs \(Self.rtpPortsPerCall) (caller and agent legs)"))
        }
        if flags.draining { problems.append(("draining", "the node is draining: no new calls")) }
        return Report(problems: problems)
    }
}

/// espeak-ng, which speaks the IVR's text prompts.
enum PromptEngine {
    static let missingMessage = "espeak-ng not found on PATH: text prompts are silent (install espeak-ng)"

    /// The executable named `espeak-ng` on `PATH` (/usr/local/bin:/usr/bin:/bin when unset), or nil.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { $0 + "/espeak-ng" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

