// sip-test-ua: a user agent built on the SIP stack, for SIPp/PJSIP interop runs and benchmarks.
//
//   sip-test-ua [--host 127.0.0.1] [--port 5060] [--no-tcp] [--no-ring] [--reject 486]
//               [--user alice:secret@example.com]...        registrar accounts (digest, realm = domain)
//               [--call sip:service@127.0.0.1:5070 --calls 100 --rate 50 --hold-ms 0] [--t1-ms 500]
//
// Prints "READY udp=<port> tcp=<port>" once listening, "CALLS ok=<n> failed=<n>" after --call runs.
import Logging
import NIOCore
import NIOPosix
import SIPAuth
import SIPMessage
import SIPTransport
import SIPUserAgent
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

var host = "127.0.0.1"
var port = 5060
var tcp = true
var ring = true
var reject: Int?
var users: [(String, String, String)] = []
var callTarget: String?
var callCount = 1
var callRate = 10.0
var holdMilliseconds = 0
var logLevel = Logger.Level.warning
var t1Milliseconds = 500

var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--host": host = args.next() ?? host
    case "--port": port = Int(args.next() ?? "") ?? port
    case "--no-tcp": tcp = false
    case "--no-ring": ring = false
    case "--reject": reject = Int(args.next() ?? "")
    case "--user":
        // user:password@domain
        let spec = args.next() ?? ""
        if let at = spec.lastIndex(of: "@"), let colon = spec[..<at].firstIndex(of: ":") {
            users.append((String(spec[..<colon]), String(spec[spec.index(after: at)...]), String(spec[spec.index(after: colon)..<at])))
        }
    case "--call": callTarget = args.next()
    case "--calls": callCount = Int(args.next() ?? "") ?? callCount
    case "--rate": callRate = Double(args.next() ?? "") ?? callRate
    case "--hold-ms": holdMilliseconds = Int(args.next() ?? "") ?? 0
    case "--verbose": logLevel = .debug
    case "--t1-ms": t1Milliseconds = Int(args.next() ?? "") ?? 500
    default:
        emit("unknown argument \(a)")
        exit(2)
    }
}

/// Writes one line to stdout unbuffered (tests wait for these lines on a pipe).
func emit(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
}

var logger = Logger(label: "sip-test-ua")
logger.logLevel = logLevel
let ended = Atomic<Int>(0)
let delegate = TestUserAgentDelegate(host: host, ring: ring, reject: reject) { _, _ in ended.add(1, ordering: .relaxed) }
var configuration = SIPUserAgentConfiguration(
    // A test peer and benchmark target: SIPp calls it at thousands of calls/s from one address.
    transport: .init(host: host, udpPort: port, tcpPort: tcp ? port : nil, sourcePolicy: .unlimited),
    timers: .init(t1: .milliseconds(t1Milliseconds)), productName: "sip-test-ua", logger: logger
)
if !users.isEmpty {
    let store = StaticCredentialStore(users: users.map { (username: $0.0, realm: $0.1, password: $0.2) })
    let domains = Set(users.map { $0.1.lowercased() })
    configuration.registrar = RegistrarSettings(credentials: store, realmForDomain: { domains.contains($0) ? $0 : nil })
}
let ua = SIPUserAgent(configuration: configuration, delegate: delegate)

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await ua.run() }
    let transport = try await ua.boundTransport()
    emit("READY udp=\(transport.udpAddress.port ?? 0) tcp=\(transport.tcpAddress?.port ?? 0)")
    if let callTarget, case .sip(let target)? = try? AnyURI.parse(callTarget) {
        let (ok, failed) = await placeCalls(ua: ua, target: target, count: callCount, rate: callRate, holdMilliseconds: holdMilliseconds, host: host)
        emit("CALLS ok=\(ok) failed=\(failed)")
        group.cancelAll()
    }
    try await group.next()
}

/// Places `count` calls at `rate` per second; each is answered, held, and hung up. Returns (ok, failed).
func placeCalls(ua: SIPUserAgent, target: SIPURI, count: Int, rate: Double, holdMilliseconds: Int, host: String) async -> (Int, Int) {
    let interval = Duration.seconds(1.0 / rate)
    return await withTaskGroup(of: Bool.self) { calls in
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            // Pace call attempts at --rate (load generation, not event ordering).
            try? await clock.sleep(until: start + interval * i)
            calls.addTask {
                do {
                    let call = try await ua.invite(target, offer: TestUserAgentDelegate.sdp(host: host, direction: "sendrecv"))
                    if holdMilliseconds > 0 { try? await Task.sleep(for: .milliseconds(holdMilliseconds)) }
                    await call.hangUp()
                    return true
                } catch {
                    return false
                }
            }
        }
        var ok = 0
        var failed = 0
        for await result in calls { if result { ok += 1 } else { failed += 1 } }
        return (ok, failed)
    }
}
