import Crypto

/// Digest hash algorithms for SIP (RFC 8760 §2: SHA-256 preferred, MD5 for old phones).
public enum DigestAlgorithm: String, Hashable, Sendable, CaseIterable {
    case md5 = "MD5"
    case sha256 = "SHA-256"

    /// Parses the `algorithm` parameter (case-insensitive); absent means MD5 (RFC 3261 §22.4).
    public init?(parameter: String?) {
        guard let p = parameter else { self = .md5; return }
        switch p.uppercased() {
        case "MD5": self = .md5
        case "SHA-256": self = .sha256
        default: return nil
        }
    }

    /// Lower-case hex digest of `text` (RFC 7616 §3.4: H(data)).
    public func hash(_ text: String) -> String {
        switch self {
        case .md5: return Self.hex(Insecure.MD5.hash(data: Array(text.utf8)))
        case .sha256: return Self.hex(SHA256.hash(data: Array(text.utf8)))
        }
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The digest computations of RFC 7616 §3.4.1-3.4.3 (qop=auth; RFC 3261 §22.4 without qop).
public enum Digest {
    /// HA1 = H(username:realm:password). Stores keep this, never the password.
    public static func ha1(username: String, realm: String, password: String, algorithm: DigestAlgorithm) -> String {
        algorithm.hash("\(username):\(realm):\(password)")
    }

    /// The request-digest for `qop=auth` (or RFC 2069 style when `qop` is nil).
    public static func response(
        ha1: String, method: String, uri: String, nonce: String,
        qop: String?, nc: String?, cnonce: String?, algorithm: DigestAlgorithm
    ) -> String {
        let ha2 = algorithm.hash("\(method):\(uri)")
        if let qop, let nc, let cnonce {
            return algorithm.hash("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
        }
        return algorithm.hash("\(ha1):\(nonce):\(ha2)")
    }

    /// Constant-time comparison of two hex strings.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
