/// A datagram that is not a valid RTP or RTCP packet (RFC 3550 §5.1, §6.4).
public struct RTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case tooShort
        case badVersion
        case badLength
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// Shorter than the fixed header or than its own length fields say.
    public static func tooShort(_ what: String) -> Self { Self(.tooShort, "\(what) too short") }
    /// Version field is not 2.
    public static let badVersion = Self(.badVersion, "RTP version is not 2")
    /// Padding or length field inconsistent with the datagram size.
    public static func badLength(_ what: String) -> Self { Self(.badLength, what) }

    public var description: String { "RTP parse error: \(detail)" }
}
