import Foundation
import NIOCore
import SIPAuth
import SIPMessage
import SIPTransport
import Synchronization
import Testing
@testable import SIPUserAgent

/// What a node on the open internet answers before doing any work, over real UDP sockets:
/// injected header lines, Via maddr reflection, bodies and methods it cannot serve, floods and
/// password guessing from one address, a REGISTER aiming calls at a third party.
@Suite("SIP ingress on the wire", .serialized)
struct IngressTests {
    /// Counts the INVITEs that reached the application.
    final class CountingDelegate: SIPUserAgentDelegate {
        let invites = Atomic<Int>(0)
        func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision {
            invites.add(1, ordering: .relaxed)
            return .reject(status: 486)
        }
    }

    /// Reads responses from a peer until one with `callID` arrives (nil after `timeout`: an upper bound only).
    struct Reader {
        let peer: WirePeer
        var iterator: AsyncStream<[UInt8]>.Iterator
        var seen: [SIPResponse] = []

        init(_ peer: WirePeer) {
            self.peer = peer
            iterator = peer.received.makeAsyncIterator()
        }

        mutating func response(to callID: String, timeout: TimeAmount = .seconds(5)) async -> SIPResponse? {
            if let i = seen.firstIndex(where: { $0.headers[.callID] == callID }) { return seen.remove(at: i) }
            let marker = Array("timeout \(callID) \(UUID())".utf8)
            peer.deadline(marker, after: timeout)
            while let bytes = await iterator.next() {
                if bytes == marker { return nil }
                let parsed: SIPMessage? = bytes.withUnsafeBufferPointer { try? SIPMessageParser().parseUnvalidated(buffer: $0, framing: .datagram) }
                guard let r = parsed?.response else { continue }
                if r.headers[.callID] == callID, r.statusCode >= 200 { return r }
                if r.statusCode >= 200 { seen.append(r) }
            }
            return nil
        }
    }

    static func request(_ method: String, from host: String, port: Int, callID: String, uri: String = "sip:+861012345678@127.0.0.1",
                        fromHeader: String? = nil, via: String? = nil, extra: [String] = [], body: String = "") -> [UInt8] {
        var lines = ["\(method) \(uri) SIP/2.0",
                     "Via: " + (via ?? "SIP/2.0/UDP \(host):\(port);branch=z9hG4bK-\(callID);rport"),
                     "Max-Forwards: 70", "From: " + (fromHeader ?? "<sip:caller@\(host)>") + ";tag=t-\(callID)",
                     "To: <\(uri)>", "Call-ID: \(callID)", "CSeq: 1 \(method)", "Contact: <sip:caller@\(host):\(port)>"]
        lines += extra
        lines.append("Content-Length: \(body.utf8.count)")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }

    static let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"

    @Test("an INVITE whose From user or display name decodes to CR LF is refused with 400 and a reason; the application never sees it")
    func headerInjectionRefusedAtIngress() async throws {
        let delegate = CountingDelegate()
        try await withUserAgent(delegate: delegate) { _, transport in
            let peer = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            let port = peer.channel.localAddress?.port ?? 0
            var reader = Reader(peer)
            let attacks = [
                ("inj-user", "<sip:%0D%0ACall-Info%3A%20%3Csip%3Ax%3E;answer-after=0@127.0.0.1>", "Control Character In URI User"),
                ("inj-nul", "<sip:%00@127.0.0.1>", "Control Character In URI User"),
                ("inj-display", "\"Li\\\u{01}Na\" <sip:caller@127.0.0.1>", "Control Character In Display Name"),
            ]
            for (id, from, reason) in attacks {
                try await peer.send(Self.request("INVITE", from: "127.0.0.1", port: port, callID: id, fromHeader: from,
                                                 extra: ["Content-Type: application/sdp"], body: Self.sdp), to: transport.udpAddress)
                let r = await reader.response(to: id)
                #expect(r?.statusCode == 400, "\(id)")
                #expect(r?.reasonPhrase == reason, "\(id)")
                #expect(r?.headers.contains(SIPHeaderName("Call-Info")) == false)
            }
            // An escaped but harmless user is served as usual.
            try await peer.send(Self.request("INVITE", from: "127.0.0.1", port: port, callID: "ok-escaped",
                                             fromHeader: "\"Li Na\" <sip:%61gent%20one@127.0.0.1>",
                                             extra: ["Content-Type: application/sdp"], body: Self.sdp), to: transport.udpAddress)
            #expect(await reader.response(to: "ok-escaped")?.statusCode == 486)
            #expect(delegate.invites.load(ordering: .relaxed) == 1)
            await peer.close()
        }
    }

    @Test("a response goes to the request's source (received/rport), never to Via maddr")
    func maddrIsIgnored() async throws {
        try await withUserAgent(delegate: CountingDelegate()) { _, transport in
            let peer = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            let port = peer.channel.localAddress?.port ?? 0
            // The third party the maddr names, listening on the port a maddr response would use.
            let victim = try await WirePeer.udp(host: "127.0.0.77", ports: [port])
            var reader = Reader(peer)
            var victimReader = Reader(victim)
            for (id, rport) in [("maddr-rport", ";rport"), ("maddr-plain", "")] {
                let via = "SIP/2.0/UDP 127.0.0.1:\(port);maddr=127.0.0.77;ttl=1\(rport);branch=z9hG4bK-\(id)"
                try await peer.send(Self.request("OPTIONS", from: "127.0.0.1", port: port, callID: id, via: via), to: transport.udpAddress)
                #expect(await reader.response(to: id)?.statusCode == 200, "\(id): answered at the source")
            }
            // Anything sent to the maddr address was sent before the answers above arrived.
            #expect(await victimReader.response(to: "maddr-rport", timeout: .milliseconds(1)) == nil)
            #expect(await victimReader.response(to: "maddr-plain", timeout: .milliseconds(1)) == nil)
            await peer.close()
            await victim.close()
        }
    }

    @Test("415 with Accept, 406, 501 with Allow before the application is asked; unusual legal requests are never 400")
    func refusedBeforeAnyWork() async throws {
        let delegate = CountingDelegate()
        try await withUserAgent(delegate: delegate) { _, transport in
            let peer = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            let port = peer.channel.localAddress?.port ?? 0
            var reader = Reader(peer)
            func ask(_ method: String, _ id: String, uri: String = "sip:+861012345678@127.0.0.1", extra: [String] = [], body: String = "") async throws -> SIPResponse? {
                try await peer.send(Self.request(method, from: "127.0.0.1", port: port, callID: id, uri: uri, extra: extra, body: body),
                                    to: transport.udpAddress)
                return await reader.response(to: id)
            }
            let json = try await ask("INVITE", "ct-json", extra: ["Content-Type: application/json"], body: "{}")
            #expect(json?.statusCode == 415)
            #expect(json?.headers[.accept] == "application/sdp")
            let gzip = try await ask("INVITE", "ct-gzip", extra: ["Content-Type: application/sdp", "Content-Encoding: gzip"], body: Self.sdp)
            #expect(gzip?.statusCode == 415)
            #expect(gzip?.headers[SIPHeaderName("Accept-Encoding")] == "identity")
            #expect(try await ask("INVITE", "acc-text", extra: ["Accept: text/plain"])?.statusCode == 406)
            #expect(try await ask("INVITE", "acc-q0", extra: ["Accept: application/sdp;q=0"])?.statusCode == 406)
            let unknown = try await ask("FROBNICATE", "m-unknown")
            #expect(unknown?.statusCode == 501)
            #expect(unknown?.headers[.allow]?.contains("INVITE") == true)
            #expect(delegate.invites.load(ordering: .relaxed) == 0, "nothing reached the application")
            // Legal but unusual: a method token with odd characters, escapes in the Request-URI,
            // a media range with parameters, an SDP Content-Type in capitals with parameters.
            #expect(try await ask("X.odd-Method!%", "m-odd")?.statusCode == 501)
            #expect(try await ask("OPTIONS", "esc-ruri", uri: "sip:%2B86%20101@127.0.0.1;x=%41")?.statusCode == 200)
            let fine = try await ask("INVITE", "acc-fine", extra: ["Accept: text/html, application/SDP;level=1;q=0.5",
                                                                    "Content-Type: Application/SDP ; charset=utf-8"], body: Self.sdp)
            #expect(fine?.statusCode == 486, "reached the application")
            #expect(delegate.invites.load(ordering: .relaxed) == 1)
            await peer.close()
        }
    }

    @Test("a flooding address is banned and its datagrams dropped unanswered; another address is still served")
    func floodingSourceIsBanned() async throws {
        let policy = SIPSourcePolicy.Configuration(messagesPerSecond: 50, invitesPerSecond: 10, banSeconds: 60)
        try await withUserAgent(delegate: CountingDelegate(), sourcePolicy: policy) { ua, transport in
            let flooder = try await WirePeer.udp(host: "127.0.0.2", ports: [0])
            let good = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            let floodPort = flooder.channel.localAddress?.port ?? 0
            for i in 0..<200 {
                try await flooder.send(optionsProbe(from: "127.0.0.2", port: floodPort, callID: "flood-\(i)"), to: transport.udpAddress)
            }
            var floodReader = Reader(flooder)
            var goodReader = Reader(good)
            // The ban is in place once a probe after the burst goes unanswered while the good address's is answered.
            try await flooder.send(optionsProbe(from: "127.0.0.2", port: floodPort, callID: "after-ban"), to: transport.udpAddress)
            try await good.send(optionsProbe(from: "127.0.0.1", port: good.channel.localAddress?.port ?? 0, callID: "good-1"), to: transport.udpAddress)
            #expect(await goodReader.response(to: "good-1")?.statusCode == 200)
            #expect(await floodReader.response(to: "after-ban", timeout: .milliseconds(200)) == nil)
            #expect(transport.sourceGuard.isBanned("127.0.0.2"))
            #expect(!transport.sourceGuard.isBanned("127.0.0.1"))
            _ = ua
            await flooder.close()
            await good.close()
        }
    }

    @Test("a ban ends the banned address's dialogs that were answered but never ACKed (not after 32 s)")
    func banEndsUnconfirmedDialogs() async throws {
        let delegate = RecordingDelegate() // answers every INVITE (180, 200)
        let policy = SIPSourcePolicy.Configuration(messagesPerSecond: 1000, invitesPerSecond: 3, banSeconds: 60)
        try await withUserAgent(delegate: delegate, sourcePolicy: policy) { ua, transport in
            let flooder = try await WirePeer.udp(host: "127.0.0.2", ports: [0])
            let port = flooder.channel.localAddress?.port ?? 0
            var reader = Reader(flooder)
            for i in 0..<3 {
                try await flooder.send(Self.request("INVITE", from: "127.0.0.2", port: port, callID: "unacked-\(i)",
                                                    extra: ["Content-Type: application/sdp"], body: Self.sdp), to: transport.udpAddress)
                #expect(await reader.response(to: "unacked-\(i)")?.statusCode == 200)
            }
            #expect(await ua.activeCallCount == 3)
            // The fourth INVITE within the second starts the ban: the three dialogs end with it.
            try await flooder.send(Self.request("INVITE", from: "127.0.0.2", port: port, callID: "unacked-3",
                                                extra: ["Content-Type: application/sdp"], body: Self.sdp), to: transport.udpAddress)
            #expect(await delegate.waitForEnded(3, timeout: .seconds(10)) == [.ackTimeout, .ackTimeout, .ackTimeout])
            #expect(await ua.activeCallCount == 0)
            await flooder.close()
        }
    }

    static let domain = "acme.test"

    static func registrar() -> RegistrarSettings {
        let store = StaticCredentialStore(users: [(username: "lina", realm: domain, password: "lina-secret")])
        return RegistrarSettings(credentials: store, realmForDomain: { $0 == domain ? $0 : nil })
    }

    /// REGISTER from `host:port` answering the challenge in `challenge` (if any) with `password`.
    static func register(host: String, port: Int, callID: String, cseq: Int, contact: String, password: String?, challenge: DigestChallenge?) -> [UInt8] {
        var lines = ["REGISTER sip:\(domain) SIP/2.0", "Via: SIP/2.0/UDP \(host):\(port);branch=z9hG4bK-\(callID)-\(cseq);rport",
                     "Max-Forwards: 70", "From: <sip:lina@\(domain)>;tag=r\(callID)", "To: <sip:lina@\(domain)>",
                     "Call-ID: \(callID)", "CSeq: \(cseq) REGISTER", "Contact: <\(contact)>", "Expires: 600"]
        if let password, let challenge {
            let c = DigestCredentials.answering(challenge, username: "lina", password: password, method: .register,
                                                uri: "sip:\(domain)", cnonce: "c\(cseq)", nonceCount: 1)
            lines.append("Authorization: " + c.headerValue)
        }
        lines.append("Content-Length: 0")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Registers with a challenge round; returns the final response.
    static func registerWithAuth(_ peer: WirePeer, _ reader: inout Reader, to ua: SocketAddress, host: String, callID: String,
                                 contact: String, password: String) async throws -> SIPResponse? {
        let port = peer.channel.localAddress?.port ?? 0
        try await peer.send(register(host: host, port: port, callID: callID, cseq: 1, contact: contact, password: nil, challenge: nil), to: ua)
        guard let first = await reader.response(to: callID), first.statusCode == 401,
              let challenge = first.headers[.wwwAuthenticate].flatMap(DigestChallenge.init(headerValue:)) else { return nil }
        try await peer.send(register(host: host, port: port, callID: callID, cseq: 2, contact: contact, password: password, challenge: challenge), to: ua)
        return await reader.response(to: callID)
    }

    @Test("a REGISTER whose Contact names a third party is bound to its source address")
    func contactElsewhereIsBoundToTheSource() async throws {
        try await withUserAgent(delegate: CountingDelegate(), registrar: Self.registrar()) { ua, transport in
            let phone = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            let port = phone.channel.localAddress?.port ?? 0
            var reader = Reader(phone)
            let ok = try await Self.registerWithAuth(phone, &reader, to: transport.udpAddress, host: "127.0.0.1", callID: "reg-3p",
                                                     contact: "sip:lina@192.0.2.50:5060", password: "lina-secret")
            #expect(ok?.statusCode == 200)
            let binding = try #require(await ua.bindings(for: "sip:lina@\(Self.domain)").first)
            #expect(binding.source == "udp:127.0.0.1:\(port)", "calls go to where the REGISTER came from, not to 192.0.2.50")
            // Its own address (another port of the same host) is followed as registered.
            let own = try await Self.registerWithAuth(phone, &reader, to: transport.udpAddress, host: "127.0.0.1", callID: "reg-own",
                                                      contact: "sip:lina@127.0.0.1:\(port + 1)", password: "lina-secret")
            #expect(own?.statusCode == 200)
            #expect(await ua.bindings(for: "sip:lina@\(Self.domain)").contains { $0.source == nil && $0.contact.uri.sipURI?.port == port + 1 })
            await phone.close()
        }
    }

    @Test("password guessing from one address is banned after a few tries; the agent at another address still registers")
    func passwordGuessingIsBanned() async throws {
        let policy = SIPSourcePolicy.Configuration(authenticationFailuresPerSource: 3, banSeconds: 60)
        try await withUserAgent(delegate: CountingDelegate(), registrar: Self.registrar(), sourcePolicy: policy) { ua, transport in
            let cracker = try await WirePeer.udp(host: "127.0.0.3", ports: [0])
            var crackReader = Reader(cracker)
            var statuses: [Int?] = []
            for (i, guess) in ["123456", "password", "lina"].enumerated() {
                let r = try await Self.registerWithAuth(cracker, &crackReader, to: transport.udpAddress, host: "127.0.0.3",
                                                        callID: "crack-\(i)", contact: "sip:lina@127.0.0.3:5060", password: guess)
                statuses.append(r?.statusCode)
            }
            // Two challenges again, the third wrong password is answered 403 and bans the address.
            #expect(statuses == [401, 401, 403], "\(statuses)")
            #expect(transport.sourceGuard.isBanned("127.0.0.3"))
            let phone = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            var phoneReader = Reader(phone)
            // The right password from the banned address is never heard: by the time another address's
            // probe sent after it is answered, it has been dropped unanswered.
            try await cracker.send(Self.register(host: "127.0.0.3", port: cracker.channel.localAddress?.port ?? 0, callID: "crack-3", cseq: 1,
                                                 contact: "sip:lina@127.0.0.3:5060", password: nil, challenge: nil), to: transport.udpAddress)
            try await phone.send(optionsProbe(from: "127.0.0.1", port: phone.channel.localAddress?.port ?? 0, callID: "probe"), to: transport.udpAddress)
            #expect(await phoneReader.response(to: "probe")?.statusCode == 200)
            #expect(await crackReader.response(to: "crack-3", timeout: .milliseconds(50)) == nil)
            #expect(await ua.bindings(for: "sip:lina@\(Self.domain)").isEmpty)
            let ok = try await Self.registerWithAuth(phone, &phoneReader, to: transport.udpAddress, host: "127.0.0.1", callID: "agent",
                                                     contact: "sip:lina@127.0.0.1:\(phone.channel.localAddress?.port ?? 0)", password: "lina-secret")
            #expect(ok?.statusCode == 200)
            await cracker.close()
            await phone.close()
        }
    }
}
