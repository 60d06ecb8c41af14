import Crypto
import Foundation

/// SIP digest credentials for an agent phone. The secret is generated, shown once and stored only as
/// HA1 = H(username ":" realm ":" password) for MD5 (RFC 2617) and SHA-256 (RFC 7616 / RFC 8760).
public struct SIPCredentials: Sendable, Equatable {
    public let secret: String
    public let ha1MD5: String
    public let ha1SHA256: String

    public init(username: String, realm: String, secret: String) {
        self.secret = secret
        let input = Array("\(username):\(realm):\(secret)".utf8)
        self.ha1MD5 = Insecure.MD5.hash(data: input).hexString
        self.ha1SHA256 = SHA256.hash(data: input).hexString
    }

    /// A new random 20-character secret (≈119 bits).
    public static func generate(username: String, realm: String) -> SIPCredentials {
        let alphabet = Array("23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ")
        var generator = SystemRandomNumberGenerator()
        let secret = String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        return SIPCredentials(username: username, realm: realm, secret: secret)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
