/// Finds message boundaries in a byte stream (TCP/TLS) per RFC 3261 §18.3: the header section
/// ends at the first empty line and Content-Length (mandatory on streams) gives the body size.
/// CRLF keep-alives between messages (RFC 5626 §3.5.1) are reported separately.
public struct SIPStreamFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        /// Not enough bytes yet.
        case needMoreData
        /// `count` bytes of CRLF keep-alive; a double CRLF ("ping") asks for a single CRLF ("pong").
        case keepAlive(count: Int, isPing: Bool)
        /// A complete message occupies the first `length` bytes (leading CRLFs included).
        case message(length: Int)
    }

    public var configuration: SIPMessageParser.Configuration

    public init(configuration: SIPMessageParser.Configuration = .init()) {
        self.configuration = configuration
    }

    /// Inspects the start of `p`. Throws when the stream cannot be framed any more (the
    /// connection must then be closed after an optional 400).
    public func nextFrame(_ p: UnsafeBufferPointer<UInt8>) throws(SIPParseError) -> Frame {
        var i = 0
        while i + 1 < p.count, p[i] == SIPGrammar.cr, p[i + 1] == SIPGrammar.lf { i += 2 }
        if i > 0 {
            if i >= 4 { return .keepAlive(count: i, isPing: true) }
            // One CRLF: a pong, or the first half of a ping still in flight.
            if p.count == 2 || (p.count == 3 && p[2] == SIPGrammar.cr) { return .needMoreData }
            return .keepAlive(count: 2, isPing: false)
        }
        guard let headerEnd = SIPMessageParser.findHeaderEnd(p, from: 0) else {
            if p.count > configuration.maxMessageSize { throw .messageTooLarge(p.count, limit: configuration.maxMessageSize) }
            return .needMoreData
        }
        // Find Content-Length among the header lines without a full parse.
        var contentLength: Int?
        var lineStart = 0
        while lineStart < headerEnd {
            guard let lineEnd = SIPMessageParser.findCRLF(p, from: lineStart, to: headerEnd + 2) else { break }
            if let value = Self.contentLengthValue(p, lineStart, lineEnd) {
                guard let n = SIPGrammar.parseDecimal(SIPGrammar.trimmed(value), limit: UInt64(configuration.maxMessageSize)) else {
                    throw .invalidContentLength(String(value.prefix(16)))
                }
                if let c = contentLength, c != Int(n) { throw .duplicateContentLength }
                contentLength = Int(n)
            }
            lineStart = lineEnd + 2
        }
        guard let length = contentLength else { throw .missingContentLength }
        let total = headerEnd + 4 + length
        guard total <= configuration.maxMessageSize else { throw .messageTooLarge(total, limit: configuration.maxMessageSize) }
        return p.count >= total ? .message(length: total) : .needMoreData
    }

    /// The value of a `Content-Length:` / `l:` line (folded values are not supported for it here).
    static func contentLengthValue(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String? {
        var colon = from
        while colon < to, p[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < to else { return nil }
        var nameEnd = colon
        while nameEnd > from, SIPGrammar.isWhitespace(p[nameEnd - 1]) { nameEnd -= 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: p[from..<nameEnd]), as: UTF8.self).lowercased()
        guard name == "content-length" || name == "l" else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: p[(colon + 1)..<to]), as: UTF8.self)
    }
}
