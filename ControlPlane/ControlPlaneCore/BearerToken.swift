import Crypto
import Foundation

/// The platform's bearer credentials. Each is random, recognisable by its kind prefix and stored
/// only as a SHA-256 hash (they carry 238 bits of entropy, so a slow hash adds nothing).
///
/// * API key: `cck_<8 prefix chars>_<40 secret chars>`; the `cck_<prefix>` part is shown in lists.
/// * Node credential: `ccn_<8 prefix chars>_<40 secret chars>`.
/// * Node bootstrap token (made by platform staff, expiring): `ccb_<8 prefix chars>_<40 secret chars>`.
/// * Session token: `ccs_<48 chars>`.
///
/// `parse` rejects anything malformed before a database is consulted.
public struct BearerToken: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case apiKey = "cck"
        case node = "ccn"
        case session = "ccs"
        case bootstrap = "ccb"
    }

    public let kind: Kind
    /// The whole token text.
    public let text: String
    /// The visible, indexed part (`cck_XXXXXXXX`), for API keys and node credentials.
    public let prefix: String?

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    static let prefixLength = 8
    static let secretLength = 40
    static let sessionLength = 48

    /// Generates a new random token of `kind`.
    public static func generate(_ kind: Kind) -> BearerToken {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> String {
            String(decoding: (0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] },
                   as: UTF8.self)
        }
        let text: String
        switch kind {
        case .session: text = "ccs_" + random(sessionLength)
        case .apiKey, .node, .bootstrap: text = kind.rawValue + "_" + random(prefixLength) + "_" + random(secretLength)
        }
        return parse(text)!
    }

    /// Parses a presented token; nil if it is not exactly one of the formats.
    public static func parse(_ text: String) -> BearerToken? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 4, bytes[3] == UInt8(ascii: "_"),
              let kind = Kind(rawValue: String(decoding: bytes[0..<3], as: UTF8.self)) else { return nil }
        let body = bytes[4...]
        let valid = Set(alphabet)
        switch kind {
        case .session:
            guard body.count == sessionLength, body.allSatisfy(valid.contains) else { return nil }
            return BearerToken(kind: kind, text: text, prefix: nil)
        case .apiKey, .node, .bootstrap:
            guard body.count == prefixLength + 1 + secretLength,
                  body[body.startIndex + prefixLength] == UInt8(ascii: "_") else { return nil }
            let prefixPart = body.prefix(prefixLength)
            let secretPart = body.suffix(secretLength)
            guard prefixPart.allSatisfy(valid.contains), secretPart.allSatisfy(valid.contains) else { return nil }
            return BearerToken(kind: kind, text: text, prefix: String(decoding: bytes[0..<(4 + prefixLength)], as: UTF8.self))
        }
    }

    /// SHA-256 of the whole token, the only form stored.
    public var hash: [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }
}
