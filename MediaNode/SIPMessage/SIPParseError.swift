/// A message that could not be parsed or failed validation (RFC 3261 §7, §8.2, §18.3).
///
/// `statusCode` is the response a server sends for a request carrying this fault; a response
/// with a fault is dropped silently. `partial` holds whatever could be read (start line and
/// headers) so that a stateless error response can copy Via, From, To, Call-ID and CSeq.
public struct SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case messageTooLarge, tooManyHeaders, headerTooLong, incompleteHeaders
        case malformedStartLine, unsupportedVersion, malformedStatusCode, malformedHeaderLine
        case invalidContentLength, duplicateContentLength, missingContentLength, bodyTruncated
        case malformedURI, malformedHeader, missingHeader, cseqMethodMismatch, valueOutOfRange
    }

    private let code: Code
    /// Human-readable detail (which header, which value); safe to log, never contains a body.
    public let detail: String
    /// The parts of the message that could be read before the fault, if any.
    public var partial: SIPMessage?

    private init(_ code: Code, _ detail: String, partial: SIPMessage? = nil) {
        self.code = code
        self.detail = detail
        self.partial = partial
    }

    public static func messageTooLarge(_ size: Int, limit: Int) -> Self {
        .init(.messageTooLarge, "message of \(size) bytes exceeds the limit of \(limit)")
    }
    public static func tooManyHeaders(limit: Int) -> Self { .init(.tooManyHeaders, "more than \(limit) header fields") }
    public static func headerTooLong(limit: Int) -> Self { .init(.headerTooLong, "a header field exceeds \(limit) bytes") }
    public static var incompleteHeaders: Self { .init(.incompleteHeaders, "no empty line ends the header section") }
    public static func malformedStartLine(_ d: String) -> Self { .init(.malformedStartLine, d) }
    public static func unsupportedVersion(_ v: String) -> Self { .init(.unsupportedVersion, "unsupported SIP version \(v)") }
    public static func malformedStatusCode(_ d: String) -> Self { .init(.malformedStatusCode, "bad status code \(d)") }
    public static func malformedHeaderLine(_ d: String) -> Self { .init(.malformedHeaderLine, d) }
    public static func invalidContentLength(_ v: String) -> Self { .init(.invalidContentLength, "invalid Content-Length \(v)") }
    public static var duplicateContentLength: Self { .init(.duplicateContentLength, "conflicting Content-Length values") }
    public static var missingContentLength: Self { .init(.missingContentLength, "Content-Length is required on a stream") }
    public static func bodyTruncated(expected: Int, available: Int) -> Self {
        .init(.bodyTruncated, "Content-Length \(expected) but only \(available) body bytes")
    }
    public static func malformedURI(_ d: String) -> Self { .init(.malformedURI, "malformed URI: \(d)") }
    public static func malformedHeader(_ name: String, _ d: String = "") -> Self {
        .init(.malformedHeader, d.isEmpty ? "malformed \(name) header" : "malformed \(name) header: \(d)")
    }
    public static func missingHeader(_ name: String) -> Self { .init(.missingHeader, "missing \(name) header") }
    public static var cseqMethodMismatch: Self { .init(.cseqMethodMismatch, "CSeq method differs from the request method") }
    public static func valueOutOfRange(_ name: String) -> Self { .init(.valueOutOfRange, "\(name) value out of range") }

    /// Returns a copy that carries the partially parsed message.
    public func with(partial: SIPMessage?) -> Self {
        var copy = self
        copy.partial = partial
        return copy
    }

    /// The status a UAS answers a faulty request with (RFC 3261 §8.2, §21).
    public var statusCode: Int {
        switch code {
        case .unsupportedVersion: return 505
        case .messageTooLarge: return 513
        default: return 400
        }
    }

    /// A short reason phrase for the error response (never echoes attacker-controlled bytes).
    public var reasonPhrase: String {
        switch code {
        case .unsupportedVersion: return "Version Not Supported"
        case .messageTooLarge: return "Message Too Large"
        case .missingHeader: return "Bad Request - Missing Header"
        case .cseqMethodMismatch: return "Bad Request - CSeq Mismatch"
        case .invalidContentLength, .duplicateContentLength, .bodyTruncated, .missingContentLength:
            return "Bad Request - Content-Length"
        default: return "Bad Request"
        }
    }

    /// True when the stream's framing is lost and a TCP connection must be closed (RFC 3261 §18.3).
    public var breaksStreamFraming: Bool {
        switch code {
        case .invalidContentLength, .duplicateContentLength, .missingContentLength, .messageTooLarge,
             .incompleteHeaders, .tooManyHeaders, .headerTooLong:
            return true
        default:
            return false
        }
    }

    public var description: String { "SIPParseError(\(code): \(detail))" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.detail == rhs.detail }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(detail)
    }
}
