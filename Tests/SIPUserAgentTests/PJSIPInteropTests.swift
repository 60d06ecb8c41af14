import Foundation
import SIPAuth
import SIPMessage
import SIPUserAgent
import Testing

/// A real PJSIP endpoint (pjsua2) registers with digest auth at our registrar, calls our UA,
/// holds with a re-INVITE, resumes and hangs up; then the other way round.
@Suite("PJSIP interop", .serialized)
struct PJSIPInteropTests {
    static let domain = "example.com"

    static func registrar() -> RegistrarSettings {
        let store = StaticCredentialStore(users: [
            (username: "alice", realm: domain, password: "alice-pw"),
            (username: "bob", realm: domain, password: "bob-pw"),
        ])
        return RegistrarSettings(credentials: store, realmForDomain: { $0 == domain ? $0 : nil })
    }

    static func peer(_ args: [String]) throws -> LineProcess {
        let python = try ExternalTool.path("python3")
        let script = ExternalTool.infraFile("pjsip/pjsua_peer.py")
        return try LineProcess(python, [script] + args)
    }

    @Test func pjsipRegistersCallsHoldsResumesAndHangsUp() async throws {
        let delegate = RecordingDelegate()
        try await withUserAgent(delegate: delegate, registrar: Self.registrar()) { ua, transport in
            let port = transport.udpAddress.port!
            let pj = try Self.peer(["--registrar", "sip:127.0.0.1:\(port)", "--user", "alice", "--password", "alice-pw",
                                    "--domain", Self.domain, "--call", "sip:agent@127.0.0.1:\(port)", "--timeout", "20"])
            var log: [String] = []
            var lines = pj.lines.makeAsyncIterator()
            #expect(await lines.next(startingWith: "REGISTER", log: &log) == "REGISTER 200")
            #expect(await ua.bindings(for: "sip:alice@example.com").count == 1)
            #expect(await lines.next(startingWith: "CONFIRMED", log: &log) != nil)
            #expect(await lines.next(startingWith: "HELD", log: &log) != nil)
            #expect(await lines.next(startingWith: "RESUMED", log: &log) != nil)
            #expect(await lines.next(startingWith: "DISCONNECTED", log: &log) == "DISCONNECTED 200")
            #expect(await lines.next(startingWith: "DONE", log: &log) != nil)
            #expect(await pj.exitStatus() == 0, "pjsua log: \(log)")
            #expect(!log.contains("TIMEOUT"), "pjsua log: \(log)")
            #expect(log.contains("MEDIA local-hold"))
            #expect(delegate.modifications.withLock { $0 } == ["recvonly", "sendrecv"])
            #expect(await delegate.waitForEnded(1, timeout: .seconds(10)) == [.remoteHangUp])
            // PJSIP unregistered on shutdown.
            #expect(await ua.bindings(for: "sip:alice@example.com").isEmpty)
        }
    }

    @Test func wrongPasswordIsRefused() async throws {
        try await withUserAgent(delegate: RecordingDelegate(), registrar: Self.registrar()) { ua, transport in
            let port = transport.udpAddress.port!
            let pj = try Self.peer(["--registrar", "sip:127.0.0.1:\(port)", "--user", "alice", "--password", "wrong",
                                    "--domain", Self.domain, "--timeout", "10"])
            var log: [String] = []
            var lines = pj.lines.makeAsyncIterator()
            let result = await lines.next(startingWith: "REGISTER", log: &log)
            #expect(result != "REGISTER 200", "pjsua log: \(log)")
            _ = await pj.exitStatus()
            #expect(await ua.bindings(for: "sip:alice@example.com").isEmpty)
        }
    }

    @Test func weCallARegisteredPJSIPPhoneHoldResumeHangUp() async throws {
        try await withUserAgent(delegate: RecordingDelegate(), registrar: Self.registrar()) { ua, transport in
            let port = transport.udpAddress.port!
            let pj = try Self.peer(["--registrar", "sip:127.0.0.1:\(port)", "--user", "bob", "--password", "bob-pw",
                                    "--domain", Self.domain, "--answer", "--timeout", "20"])
            var log: [String] = []
            var lines = pj.lines.makeAsyncIterator()
            #expect(await lines.next(startingWith: "READY", log: &log) != nil, "pjsua log: \(log)")
            let call = try await ua.inviteRegistered(aor: "sip:bob@example.com", offer: RecordingDelegate.sdp())
            #expect(await lines.next(startingWith: "CONFIRMED", log: &log) != nil)
            let held = try await call.reinvite(offer: RecordingDelegate.sdp("sendonly"))
            #expect(held.map { String(decoding: $0.bytes, as: UTF8.self).contains("a=recvonly") } == true)
            let resumed = try await call.reinvite(offer: RecordingDelegate.sdp("sendrecv"))
            #expect(resumed.map { String(decoding: $0.bytes, as: UTF8.self).contains("a=sendrecv") } == true)
            await call.hangUp()
            #expect(await lines.next(startingWith: "DISCONNECTED", log: &log) == "DISCONNECTED 200")
            #expect(await lines.next(startingWith: "DONE", log: &log) != nil)
            #expect(await pj.exitStatus() == 0, "pjsua log: \(log)")
            #expect(await ua.activeCallCount == 0)
        }
    }
}
