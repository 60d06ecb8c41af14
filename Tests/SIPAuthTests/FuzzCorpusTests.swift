import Crypto
import Foundation
import FuzzCorpus
import Testing
import SIPAuth
import SIPMessage

/// Replays the digest fuzz target's committed inputs (infra/fuzz/corpus/sip-digest: seeds;
/// infra/fuzz/regressions/sip-digest: every input that ever failed) the way
/// infra/fuzz/SIPDigestFuzzTarget.swift runs them: a nonce `N` becomes a fresh nonce and a response
/// `R` the right one, so the seeds reach a successful verification and the fuzzer starts there.
@Suite struct DigestFuzzCorpusTests {
    static func inputs() throws -> [(name: String, text: String)] {
        try fuzzCorpus("sip-digest").map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
    }

    @Test func corpusVerifiesOnlyRightResponses() throws {
        let key = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
        let request = SIPRequest(method: .register, uri: try AnyURI.parse("sip:acme.example"))
        let now: UInt64 = 1_000_000
        var authenticated = 0
        let inputs = try Self.inputs()
        #expect(inputs.count >= 4)
        for (name, text) in inputs {
            _ = AuthParameters.parse(text)
            _ = DigestChallenge(headerValue: text)
            guard var credentials = DigestCredentials(headerValue: text) else { continue }
            #expect(DigestCredentials(headerValue: credentials.headerValue) != nil, "\(name)")
            var authenticator = DigestAuthenticator(key: key)
            if credentials.nonce == "N" {
                credentials.nonce = authenticator.challenges(realm: credentials.realm, now: now - 10)[0].nonce
            }
            let ha1 = Digest.ha1(username: credentials.username, realm: credentials.realm, password: "secret", algorithm: credentials.algorithm)
            let correct = Digest.response(
                ha1: ha1, method: "REGISTER", uri: credentials.uri, nonce: credentials.nonce,
                qop: credentials.qop, nc: credentials.nc, cnonce: credentials.cnonce, algorithm: credentials.algorithm)
            if credentials.response == "R" { credentials.response = correct }
            let outcome = authenticator.verify(credentials, request: request, ha1: ha1, now: now)
            if case .authenticated = outcome {
                authenticated += 1
                #expect(credentials.response.lowercased() == correct, "\(name)")
                // The same nonce count again is a replay (RFC 7616 §3.4).
                #expect(authenticator.verify(credentials, request: request, ha1: ha1, now: now) == .challenge(stale: true), "\(name)")
            }
        }
        #expect(authenticated >= 2)
    }

    @Test func headerFormsEscapeQuotesAndBackslashes() throws {
        // A username `li"na` was written as username="li"na", which does not parse back.
        let c = DigestCredentials(
            username: "li\"na", realm: "a\\b", nonce: "n", uri: "sip:acme.example", response: "r", algorithm: .md5,
            qop: "auth", nc: "", cnonce: "x\"", opaque: "\"")
        let again = try #require(DigestCredentials(headerValue: c.headerValue))
        #expect(again == c)
        let challenge = DigestChallenge(realm: "ac\"me", nonce: "n\\", algorithm: .sha256, qop: ["auth"], opaque: "o\"")
        #expect(DigestChallenge(headerValue: challenge.headerValue) == challenge)
    }
}
