// libFuzzer entry point for digest authentication (built by infra/fuzz/run.sh sip-digest). Each
// input is one Authorization (or WWW-Authenticate) header value. Properties checked: parsing never
// crashes; parsed credentials re-parse from their own header form; verification never crashes and
// authenticates only when the response is right. So the fuzzer gets past the signed nonce and the
// response check, a nonce of `N` is replaced by a fresh one and a response of `R` by the correct
// response for the credentials as given.
import Crypto
import SIPAuth
import SIPMessage

private let key = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
private let ha1Password = "secret"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = AuthParameters.parse(text)
    if let challenge = DigestChallenge(headerValue: text), DigestChallenge(headerValue: challenge.headerValue) != challenge {
        fatalError("challenge does not survive its own header form: \(challenge.headerValue)")
    }
    _ = NonceIssuer(key: key).issueTime(of: text, realm: "acme.example")
    guard var credentials = DigestCredentials(headerValue: text) else { return 0 }
    guard let again = DigestCredentials(headerValue: credentials.headerValue),
        [again.username, again.realm, again.nonce, again.uri, again.response]
            == [credentials.username, credentials.realm, credentials.nonce, credentials.uri, credentials.response]
    else { fatalError("credentials do not survive their own header form: \(credentials.headerValue)") }

    var authenticator = DigestAuthenticator(key: key)
    let now: UInt64 = 1_000_000
    if credentials.nonce == "N" {
        credentials.nonce = authenticator.challenges(realm: credentials.realm, now: now - 10)[0].nonce
    }
    guard let uri = try? AnyURI.parse("sip:acme.example") else { fatalError("fixed URI does not parse") }
    let request = SIPRequest(method: .register, uri: uri)
    let ha1 = Digest.ha1(username: credentials.username, realm: credentials.realm, password: ha1Password, algorithm: credentials.algorithm)
    let correct = Digest.response(
        ha1: ha1, method: request.method.rawValue, uri: credentials.uri, nonce: credentials.nonce,
        qop: credentials.qop, nc: credentials.nc, cnonce: credentials.cnonce, algorithm: credentials.algorithm)
    if credentials.response == "R" { credentials.response = correct }
    for clock in [now, now, 0, UInt64.max] {
        let outcome = authenticator.verify(credentials, request: request, ha1: ha1, now: clock)
        if case .authenticated = outcome, credentials.response.lowercased() != correct {
            fatalError("authenticated with a wrong response: \(credentials)")
        }
    }
    _ = authenticator.verify(credentials, request: request, ha1: nil, now: now)
    // The user agent's clock is monotonic (seconds since start), so the throttle's is too.
    var throttle = AuthFailureThrottle(maxFailures: 3, window: 60)
    for clock in [now, now, now + 1, now + 61, UInt64.max] {
        throttle.recordFailure(source: credentials.username, now: clock)
        _ = throttle.isBlocked(source: credentials.username, now: clock)
    }
    return 0
}
