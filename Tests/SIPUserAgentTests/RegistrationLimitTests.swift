import Foundation
import NIOCore
import SIPAuth
import SIPMessage
import SIPTransport
import Testing
@testable import SIPUserAgent

/// A tenant's registration limit (staff-set, in the node snapshot) at the registrar: one phone
/// more than allowed is refused; refreshes and unregisters always pass.
@Suite("registration limit per realm")
struct RegistrationLimitTests {
    static let domain = "acme.test"
    static let users = ["lina", "wang", "zhao"]

    static func registrar(limit: Int) -> RegistrarSettings {
        let store = StaticCredentialStore(users: users.map { (username: $0, realm: domain, password: "\($0)-secret") })
        var settings = RegistrarSettings(credentials: store, realmForDomain: { $0 == domain ? $0 : nil })
        settings.maxRegistrationsForRealm = { $0 == domain ? limit : nil }
        return settings
    }

    static func register(_ user: String, port: Int, callID: String, cseq: Int, expires: Int, challenge: DigestChallenge?) -> [UInt8] {
        var lines = ["REGISTER sip:\(domain) SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:\(port);branch=z9hG4bK-\(callID)-\(cseq);rport",
                     "Max-Forwards: 70", "From: <sip:\(user)@\(domain)>;tag=r\(callID)", "To: <sip:\(user)@\(domain)>",
                     "Call-ID: \(callID)", "CSeq: \(cseq) REGISTER", "Contact: <sip:\(user)@127.0.0.1:\(port)>", "Expires: \(expires)"]
        if let challenge {
            let c = DigestCredentials.answering(challenge, username: user, password: "\(user)-secret", method: .register,
                                                uri: "sip:\(domain)", cnonce: "c\(cseq)", nonceCount: 1)
            lines.append("Authorization: " + c.headerValue)
        }
        lines.append("Content-Length: 0")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// One REGISTER with its challenge round; the final status.
    static func register(_ user: String, expires: Int = 600, phone: WirePeer, reader: inout IngressTests.Reader, to ua: SocketAddress,
                         round: Int) async throws -> Int? {
        let port = phone.channel.localAddress?.port ?? 0
        let callID = "limit-\(user)-\(round)"
        try await phone.send(register(user, port: port, callID: callID, cseq: 1, expires: expires, challenge: nil), to: ua)
        guard let first = await reader.response(to: callID), first.statusCode == 401,
              let challenge = first.headers[.wwwAuthenticate].flatMap(DigestChallenge.init(headerValue:)) else { return nil }
        try await phone.send(register(user, port: port, callID: callID, cseq: 2, expires: expires, challenge: challenge), to: ua)
        return await reader.response(to: callID)?.statusCode
    }

    @Test("limit 2: two phones register, the third gets 403, a refresh passes; once one unregisters the third gets in")
    func limitPerRealm() async throws {
        try await withUserAgent(delegate: IngressTests.CountingDelegate(), registrar: Self.registrar(limit: 2)) { _, transport in
            let phone = try await WirePeer.udp(host: "127.0.0.1", ports: [0])
            var reader = IngressTests.Reader(phone)
            let ua = transport.udpAddress
            #expect(try await Self.register("lina", phone: phone, reader: &reader, to: ua, round: 1) == 200)
            #expect(try await Self.register("wang", phone: phone, reader: &reader, to: ua, round: 1) == 200)
            #expect(try await Self.register("zhao", phone: phone, reader: &reader, to: ua, round: 1) == 403)
            #expect(try await Self.register("lina", phone: phone, reader: &reader, to: ua, round: 2) == 200, "a refresh is not a new phone")
            #expect(try await Self.register("wang", expires: 0, phone: phone, reader: &reader, to: ua, round: 2) == 200)
            #expect(try await Self.register("zhao", phone: phone, reader: &reader, to: ua, round: 2) == 200)
            await phone.close()
        }
    }
}
