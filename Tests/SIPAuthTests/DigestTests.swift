import Crypto
import Foundation
import Testing
import SIPAuth
import SIPMessage

private struct RFC7616Vector: Decodable {
    let username, realm, password, method, uri, nonce, cnonce, nc, qop, opaque: String
    let response_MD5, HA1_MD5: String
    let responseSHA256: String
    let HA1SHA256: String
    enum CodingKeys: String, CodingKey {
        case username, realm, password, method, uri, nonce, cnonce, nc, qop, opaque, response_MD5, HA1_MD5
        case responseSHA256 = "response_SHA-256"
        case HA1SHA256 = "HA1_SHA-256"
    }
}

private func loadVector() throws -> RFC7616Vector {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/testdata/vectors/auth-and-webhook-vectors.json")
    let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    let entry = try #require(root?["rfc7616_3.9.1_digest"])
    return try JSONDecoder().decode(RFC7616Vector.self, from: JSONSerialization.data(withJSONObject: entry))
}

@Suite struct DigestVectorTests {
    @Test("RFC 7616 §3.9.1 example", arguments: DigestAlgorithm.allCases)
    func rfc7616Vector(_ algorithm: DigestAlgorithm) throws {
        let v = try loadVector()
        let ha1 = Digest.ha1(username: v.username, realm: v.realm, password: v.password, algorithm: algorithm)
        #expect(ha1 == (algorithm == .md5 ? v.HA1_MD5 : v.HA1SHA256))
        let response = Digest.response(
            ha1: ha1, method: v.method, uri: v.uri, nonce: v.nonce, qop: v.qop, nc: v.nc, cnonce: v.cnonce, algorithm: algorithm
        )
        #expect(response == (algorithm == .md5 ? v.response_MD5 : v.responseSHA256))
    }

    @Test func authorizationHeaderRoundTrip() throws {
        let header = "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
        let c = try #require(DigestCredentials(headerValue: header))
        #expect(c.username == "Mufasa")
        #expect(c.algorithm == .sha256)
        #expect(c.nc == "00000001")
        #expect(DigestCredentials(headerValue: c.headerValue) == c)
        #expect(DigestCredentials(headerValue: "Digest username=\"unterminated") == nil)
        #expect(DigestCredentials(headerValue: "Basic dXNlcjpwYXNz") == nil)
    }
}

private func register(_ auth: String? = nil, uri: String = "sip:example.com") throws -> SIPRequest {
    var h = SIPHeaders()
    h.add(.via, "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK1")
    h.add(.from, "<sip:alice@example.com>;tag=1")
    h.add(.to, "<sip:alice@example.com>")
    h.add(.callID, "reg-1")
    h.add(.cseq, "1 REGISTER")
    if let auth { h.add(.authorization, auth) }
    return SIPRequest(method: .register, uri: try AnyURI.parse(uri), headers: h)
}

@Suite struct DigestAuthenticatorTests {
    let realm = "tenant-a.example.com"
    let key = SymmetricKey(data: Array(repeating: UInt8(7), count: 32))

    func answer(_ challenge: DigestChallenge, password: String = "s3cret", nc: UInt32 = 1, uri: String = "sip:example.com") -> String {
        DigestCredentials.answering(
            challenge, username: "alice", password: password, method: .register, uri: uri, cnonce: "c\(nc)", nonceCount: nc
        ).headerValue
    }

    func ha1(_ a: DigestAlgorithm) -> String { Digest.ha1(username: "alice", realm: realm, password: "s3cret", algorithm: a) }

    @Test("challenge, answer, authenticate", arguments: DigestAlgorithm.allCases)
    func happyPath(_ algorithm: DigestAlgorithm) throws {
        var auth = DigestAuthenticator(key: key)
        let challenges = auth.challenges(realm: realm, now: 1000)
        #expect(challenges.map(\.algorithm) == [.sha256, .md5])
        let ch = try #require(challenges.first { $0.algorithm == algorithm })
        #expect(DigestChallenge(headerValue: ch.headerValue) == ch)
        let req = try register(answer(ch))
        let creds = try #require(DigestCredentials.find(in: req, realm: realm))
        #expect(auth.verify(creds, request: req, ha1: ha1(algorithm), now: 1010) == .authenticated(username: "alice"))
    }

    @Test func replayedNonceCountIsRefusedAndHigherCountAccepted() throws {
        var auth = DigestAuthenticator(key: key)
        let ch = auth.challenges(realm: realm, now: 0)[0]
        let first = try register(answer(ch, nc: 1))
        let c1 = try #require(DigestCredentials.find(in: first, realm: realm))
        #expect(auth.verify(c1, request: first, ha1: ha1(.sha256), now: 1) == .authenticated(username: "alice"))
        #expect(auth.verify(c1, request: first, ha1: ha1(.sha256), now: 2) == .challenge(stale: true))
        let second = try register(answer(ch, nc: 2))
        let c2 = try #require(DigestCredentials.find(in: second, realm: realm))
        #expect(auth.verify(c2, request: second, ha1: ha1(.sha256), now: 3) == .authenticated(username: "alice"))
    }

    @Test func expiredNonceIsStaleOnlyWhenTheAnswerIsRight() throws {
        var auth = DigestAuthenticator(configuration: .init(nonceLifetime: 30), key: key)
        let ch = auth.challenges(realm: realm, now: 100)[0]
        let good = try register(answer(ch))
        let c = try #require(DigestCredentials.find(in: good, realm: realm))
        #expect(auth.verify(c, request: good, ha1: ha1(.sha256), now: 131) == .challenge(stale: true))
        let bad = try register(answer(ch, password: "wrong"))
        let cb = try #require(DigestCredentials.find(in: bad, realm: realm))
        #expect(auth.verify(cb, request: bad, ha1: ha1(.sha256), now: 131) == .challenge(stale: false))
    }

    @Test func unknownUserAndWrongPasswordLookTheSame() throws {
        var auth = DigestAuthenticator(key: key)
        let ch = auth.challenges(realm: realm, now: 0)[0]
        let wrong = try register(answer(ch, password: "nope"))
        let c = try #require(DigestCredentials.find(in: wrong, realm: realm))
        let wrongPassword = auth.verify(c, request: wrong, ha1: ha1(.sha256), now: 1)
        let unknownUser = auth.verify(c, request: wrong, ha1: nil, now: 1)
        #expect(wrongPassword == unknownUser)
        #expect(wrongPassword == .challenge(stale: false))
    }

    @Test func forgedOrForeignNoncesAreRejected() throws {
        var auth = DigestAuthenticator(key: key)
        var other = DigestAuthenticator(key: SymmetricKey(data: Array(repeating: UInt8(9), count: 32)))
        let foreign = other.challenges(realm: realm, now: 0)[0]
        let req = try register(answer(foreign))
        let c = try #require(DigestCredentials.find(in: req, realm: realm))
        #expect(auth.verify(c, request: req, ha1: ha1(.sha256), now: 1) == .challenge(stale: false))
        // A nonce issued for another realm does not validate in this one.
        let otherRealm = auth.challenges(realm: "tenant-b.example.com", now: 0)[0]
        var moved = DigestCredentials.answering(otherRealm, username: "alice", password: "s3cret", method: .register, uri: "sip:example.com", cnonce: "x", nonceCount: 1)
        moved.realm = realm
        #expect(auth.verify(moved, request: req, ha1: ha1(.sha256), now: 1) == .challenge(stale: false))
    }

    @Test func digestURIMustNameTheRequestURI() throws {
        var auth = DigestAuthenticator(key: key)
        let ch = auth.challenges(realm: realm, now: 0)[0]
        let req = try register(answer(ch, uri: "sip:elsewhere.example.com"))
        let c = try #require(DigestCredentials.find(in: req, realm: realm))
        #expect(auth.verify(c, request: req, ha1: ha1(.sha256), now: 1) == .malformed)
    }

    @Test func throttleBlocksRepeatedFailuresPerSource() {
        var t = AuthFailureThrottle(maxFailures: 3, window: 60)
        for i in 0..<3 { t.recordFailure(source: "192.0.2.1", now: UInt64(i)) }
        #expect(t.isBlocked(source: "192.0.2.1", now: 10))
        #expect(!t.isBlocked(source: "192.0.2.2", now: 10))
        #expect(!t.isBlocked(source: "192.0.2.1", now: 70))
    }

    @Test func staticStoreKeepsOnlyHashes() async {
        let store = StaticCredentialStore(users: [("alice", realm, "s3cret")])
        #expect(await store.ha1(username: "alice", realm: realm, algorithm: .md5) == ha1(.md5))
        #expect(await store.ha1(username: "alice", realm: "other", algorithm: .md5) == nil)
    }
}
