import SIPMessage

/// The digest parameters of an Authorization / Proxy-Authorization header (RFC 3261 §22.4,
/// RFC 7616 §3.4).
public struct DigestCredentials: Hashable, Sendable {
    public var username: String
    public var realm: String
    public var nonce: String
    public var uri: String
    public var response: String
    public var algorithm: DigestAlgorithm
    public var qop: String?
    public var nc: String?
    public var cnonce: String?
    public var opaque: String?

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String,
        algorithm: DigestAlgorithm, qop: String? = nil, nc: String? = nil, cnonce: String? = nil, opaque: String? = nil
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.qop = qop
        self.nc = nc
        self.cnonce = cnonce
        self.opaque = opaque
    }

    /// Parses one header value; nil if it is not a well-formed Digest credential.
    public init?(headerValue: String) {
        guard let p = AuthParameters.parse(headerValue), p.scheme.lowercased() == "digest",
              let username = p["username"], let realm = p["realm"], let nonce = p["nonce"],
              let uri = p["uri"], let response = p["response"],
              let algorithm = DigestAlgorithm(parameter: p["algorithm"])
        else { return nil }
        self.init(
            username: username, realm: realm, nonce: nonce, uri: uri, response: response, algorithm: algorithm,
            qop: p["qop"], nc: p["nc"], cnonce: p["cnonce"], opaque: p["opaque"]
        )
    }

    /// The credentials of `request` for `realm` (Authorization, or Proxy-Authorization for a proxy).
    public static func find(in request: SIPRequest, realm: String, proxy: Bool = false) -> DigestCredentials? {
        for value in request.headers.values(proxy ? .proxyAuthorization : .authorization) {
            if let c = DigestCredentials(headerValue: value), c.realm == realm { return c }
        }
        return nil
    }

    /// Client side: answers `challenge` for a request (RFC 7616 §3.4), e.g. when our UA registers upstream.
    public static func answering(
        _ challenge: DigestChallenge, username: String, password: String, method: SIPMethod, uri: String,
        cnonce: String, nonceCount: UInt32
    ) -> DigestCredentials {
        let ha1 = Digest.ha1(username: username, realm: challenge.realm, password: password, algorithm: challenge.algorithm)
        let useQop = challenge.qop.contains("auth")
        let nc = useQop ? String(hex8: nonceCount) : nil
        let response = Digest.response(
            ha1: ha1, method: method.rawValue, uri: uri, nonce: challenge.nonce,
            qop: useQop ? "auth" : nil, nc: nc, cnonce: useQop ? cnonce : nil, algorithm: challenge.algorithm
        )
        return DigestCredentials(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: response,
            algorithm: challenge.algorithm, qop: useQop ? "auth" : nil, nc: nc, cnonce: useQop ? cnonce : nil,
            opaque: challenge.opaque
        )
    }

    /// Header value form.
    public var headerValue: String {
        var s = "Digest username=\(digestQuoted(username)), realm=\(digestQuoted(realm)), nonce=\(digestQuoted(nonce)), uri=\(digestQuoted(uri)), response=\(digestQuoted(response)), algorithm=\(algorithm.rawValue)"
        if let qop, let nc, let cnonce { s += ", qop=\(digestToken(qop)), nc=\(digestToken(nc)), cnonce=\(digestQuoted(cnonce))" }
        if let opaque { s += ", opaque=\(digestQuoted(opaque))" }
        return s
    }
}

/// A WWW-Authenticate / Proxy-Authenticate digest challenge (RFC 7616 §3.3).
public struct DigestChallenge: Hashable, Sendable {
    public var realm: String
    public var nonce: String
    public var algorithm: DigestAlgorithm
    public var qop: [String]
    public var opaque: String?
    public var stale: Bool

    public init(realm: String, nonce: String, algorithm: DigestAlgorithm, qop: [String] = ["auth"], opaque: String? = nil, stale: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.algorithm = algorithm
        self.qop = qop
        self.opaque = opaque
        self.stale = stale
    }

    public init?(headerValue: String) {
        guard let p = AuthParameters.parse(headerValue), p.scheme.lowercased() == "digest",
              let realm = p["realm"], let nonce = p["nonce"], let algorithm = DigestAlgorithm(parameter: p["algorithm"])
        else { return nil }
        self.init(
            realm: realm, nonce: nonce, algorithm: algorithm,
            qop: (p["qop"] ?? "").split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty },
            opaque: p["opaque"], stale: p["stale"]?.lowercased() == "true"
        )
    }

    public var headerValue: String {
        var s = "Digest realm=\(digestQuoted(realm)), nonce=\(digestQuoted(nonce)), algorithm=\(algorithm.rawValue)"
        if !qop.isEmpty { s += ", qop=\(digestQuoted(qop.joined(separator: ",")))" }
        if let opaque { s += ", opaque=\(digestQuoted(opaque))" }
        if stale { s += ", stale=true" }
        return s
    }
}

/// A quoted-string with `"` and `\` escaped (RFC 3261 §25.1 quoted-pair): a username `li"na`
/// used to come out as `username="li"na"`, which no longer parsed.
private func digestQuoted(_ value: String) -> String {
    var out = "\""
    for c in value.unicodeScalars {
        if c == "\"" || c == "\\" { out.unicodeScalars.append("\\") }
        out.unicodeScalars.append(c)
    }
    return out + "\""
}

/// A value sent as a token (`qop=auth`, `nc=00000001`, RFC 7616 §3.4) when it is one, else quoted
/// so the header still parses.
private func digestToken(_ value: String) -> String {
    let isToken = !value.isEmpty && value.utf8.allSatisfy { b in
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-.!%*_+`'~".utf8.contains(b)
    }
    return isToken ? value : digestQuoted(value)
}

extension String {
    init(hex8 value: UInt32) {
        let digits = String(value, radix: 16)
        let padding = String(repeating: "0", count: Swift.max(0, 8 - digits.count))
        self = padding + digits
    }

    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
