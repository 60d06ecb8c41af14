import Crypto
import SIPMessage

/// Looks up stored HA1 values; implementations key them by tenant realm and username and never
/// hold plaintext passwords (RFC 3261 §22.4).
public protocol DigestCredentialStore: Sendable {
    /// HA1 = H(username:realm:password) for `algorithm`, or nil if the user is unknown.
    func ha1(username: String, realm: String, algorithm: DigestAlgorithm) async -> String?
}

/// Server-side digest verification (RFC 3261 §22, RFC 7616, RFC 8760): signed expiring nonces
/// (`stale=true` once expired), qop=auth with nonce-count replay protection. Pure: the caller
/// passes the time and the HA1 it looked up.
public struct DigestAuthenticator: Sendable {
    public struct Configuration: Sendable {
        /// Seconds a nonce stays usable (default 300).
        public var nonceLifetime: UInt64
        /// Algorithms offered, in order of preference (default SHA-256 then MD5, RFC 8760 §2.4).
        public var algorithms: [DigestAlgorithm]
        /// Bound on remembered nonce counts; the oldest are forgotten first (default 50 000).
        public var maxTrackedNonces: Int

        public init(nonceLifetime: UInt64 = 300, algorithms: [DigestAlgorithm] = [.sha256, .md5], maxTrackedNonces: Int = 50_000) {
            self.nonceLifetime = nonceLifetime
            self.algorithms = algorithms
            self.maxTrackedNonces = maxTrackedNonces
        }
    }

    /// The verdict on one request's credentials.
    public enum Outcome: Hashable, Sendable {
        case authenticated(username: String)
        /// Answer 401/407 with fresh challenges; `stale` if the credentials were right but the nonce was not.
        case challenge(stale: Bool)
        /// Credentials that do not belong to this request (wrong digest-uri, bad nc): 400.
        case malformed
    }

    public var configuration: Configuration
    private var issuer: NonceIssuer
    private var lastNonceCount: [String: UInt32] = [:]
    private var nonceOrder: [String] = []

    public init(configuration: Configuration = Configuration(), key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.configuration = configuration
        self.issuer = NonceIssuer(key: key)
    }

    /// Challenges for `realm`, one per configured algorithm (RFC 8760 §2.4: most preferred first).
    public mutating func challenges(realm: String, now: UInt64, stale: Bool = false) -> [DigestChallenge] {
        let nonce = issuer.issue(realm: realm, now: now)
        return configuration.algorithms.map { DigestChallenge(realm: realm, nonce: nonce, algorithm: $0, stale: stale) }
    }

    /// Verifies `credentials` for `request`. Pass `ha1: nil` for an unknown user: the outcome is the
    /// same as for a wrong password, so users cannot be enumerated.
    public mutating func verify(_ credentials: DigestCredentials, request: SIPRequest, ha1: String?, now: UInt64) -> Outcome {
        guard configuration.algorithms.contains(credentials.algorithm) else { return .challenge(stale: false) }
        guard Self.digestURIMatches(credentials.uri, request.uri) else { return .malformed }
        guard let issued = issuer.issueTime(of: credentials.nonce, realm: credentials.realm) else { return .challenge(stale: false) }
        if credentials.qop != nil {
            guard credentials.qop == "auth", credentials.cnonce != nil, let nc = credentials.nc, nc.utf8.count == 8,
                  UInt32(nc, radix: 16) != nil
            else { return .malformed }
        }
        // Compute even for unknown users so timing does not reveal them.
        let key = ha1 ?? credentials.algorithm.hash("\u{0}unknown:\(credentials.realm)")
        let expected = Digest.response(
            ha1: key, method: request.method.rawValue, uri: credentials.uri, nonce: credentials.nonce,
            qop: credentials.qop, nc: credentials.nc, cnonce: credentials.cnonce, algorithm: credentials.algorithm
        )
        guard ha1 != nil, Digest.constantTimeEquals(expected, credentials.response.lowercased()) else {
            return .challenge(stale: false)
        }
        // RFC 7616 §3.3: a correct response with an expired nonce gets stale=true.
        guard now >= issued, now - issued <= configuration.nonceLifetime else { return .challenge(stale: true) }
        // RFC 7616 §3.4: nc must increase for each use of a nonce; without qop a nonce is single-use.
        let count = credentials.nc.flatMap { UInt32($0, radix: 16) } ?? 1
        if let last = lastNonceCount[credentials.nonce], count <= last { return .challenge(stale: true) }
        remember(nonce: credentials.nonce, count: count)
        return .authenticated(username: credentials.username)
    }

    private mutating func remember(nonce: String, count: UInt32) {
        if lastNonceCount.updateValue(count, forKey: nonce) == nil {
            nonceOrder.append(nonce)
            if nonceOrder.count > configuration.maxTrackedNonces {
                let drop = nonceOrder.count - configuration.maxTrackedNonces
                for n in nonceOrder.prefix(drop) { lastNonceCount[n] = nil }
                nonceOrder.removeFirst(drop)
            }
        }
    }

    /// RFC 3261 §22.4 / RFC 7616 §3.4.6: the digest-uri must name the Request-URI.
    static func digestURIMatches(_ digestURI: String, _ requestURI: AnyURI) -> Bool {
        if digestURI == requestURI.description { return true }
        guard let parsed = try? AnyURI.parse(digestURI) else { return false }
        if let a = parsed.sipURI, let b = requestURI.sipURI { return a.isEquivalent(to: b) }
        return parsed == requestURI
    }
}

/// Counts failed authentications per source and blocks a source after too many in a window.
public struct AuthFailureThrottle: Sendable {
    public var maxFailures: Int
    public var window: UInt64
    private var failures: [String: (count: Int, since: UInt64)] = [:]

    /// Blocks a source after `maxFailures` failures within `window` seconds (defaults 10 in 60).
    public init(maxFailures: Int = 10, window: UInt64 = 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    public mutating func recordFailure(source: String, now: UInt64) {
        if var f = failures[source], now - f.since < window {
            f.count += 1
            failures[source] = f
        } else {
            failures[source] = (1, now)
        }
        if failures.count > 100_000 { failures = failures.filter { now - $0.value.since < window } }
    }

    public mutating func recordSuccess(source: String) { failures[source] = nil }

    public func isBlocked(source: String, now: UInt64) -> Bool {
        guard let f = failures[source], now - f.since < window else { return false }
        return f.count >= maxFailures
    }
}

/// An in-memory store of HA1 values (tests and the test UA). Built from passwords once; keeps only hashes.
public struct StaticCredentialStore: DigestCredentialStore {
    private let table: [String: String]

    public init(users: [(username: String, realm: String, password: String)]) {
        var t: [String: String] = [:]
        for u in users {
            for a in DigestAlgorithm.allCases {
                t["\(a.rawValue)\u{0}\(u.realm)\u{0}\(u.username)"] = Digest.ha1(username: u.username, realm: u.realm, password: u.password, algorithm: a)
            }
        }
        table = t
    }

    public func ha1(username: String, realm: String, algorithm: DigestAlgorithm) async -> String? {
        table["\(algorithm.rawValue)\u{0}\(realm)\u{0}\(username)"]
    }
}
