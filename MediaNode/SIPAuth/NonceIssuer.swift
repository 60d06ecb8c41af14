import Crypto

/// Stateless server nonces: `hex(issuedAt ‖ serial) . hex(HMAC-SHA256(key, issuedAt ‖ serial ‖ realm))[0..<32]`.
/// Any node holding the key can check a nonce's origin, realm and age without storing it
/// (RFC 7616 §3.3 suggests time-stamped, keyed nonces).
public struct NonceIssuer: Sendable {
    private let key: SymmetricKey
    private var serial: UInt64 = 0

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    /// A fresh nonce for `realm` issued at `now` (seconds).
    public mutating func issue(realm: String, now: UInt64) -> String {
        serial &+= 1
        let payload = Self.hex(now) + Self.hex(serial)
        return payload + "." + mac(payload, realm: realm)
    }

    /// The issue time if `nonce` is ours for `realm`, nil if forged or malformed.
    public func issueTime(of nonce: String, realm: String) -> UInt64? {
        let parts = nonce.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 32 else { return nil }
        let payload = String(parts[0])
        guard Digest.constantTimeEquals(mac(payload, realm: realm), String(parts[1])) else { return nil }
        return UInt64(payload.prefix(16), radix: 16)
    }

    private func mac(_ payload: String, realm: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array((payload + "\u{0}" + realm).utf8), using: key)
        return String(DigestAlgorithm.hex(code).prefix(32))
    }

    private static func hex(_ v: UInt64) -> String {
        let d = String(v, radix: 16)
        return String(repeating: "0", count: 16 - d.count) + d
    }
}
