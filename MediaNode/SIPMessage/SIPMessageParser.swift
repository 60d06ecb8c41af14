/// Parses SIP messages from bytes (RFC 3261 §7, §18.3) within explicit limits, then validates
/// the headers every element relies on (§8.2). Pure: no I/O, no clock.
public struct SIPMessageParser: Sendable {
    /// Limits applied before any allocation proportional to the input.
    public struct Configuration: Hashable, Sendable {
        /// Largest message accepted, header section and body together (default 65535: the UDP maximum).
        public var maxMessageSize: Int
        /// Most header field lines (after unfolding) in one message (default 128).
        public var maxHeaderCount: Int
        /// Longest header field (name + value, unfolded) in bytes (default 8192).
        public var maxHeaderLength: Int

        public init(maxMessageSize: Int = 65_535, maxHeaderCount: Int = 128, maxHeaderLength: Int = 8_192) {
            self.maxMessageSize = maxMessageSize
            self.maxHeaderCount = maxHeaderCount
            self.maxHeaderLength = maxHeaderLength
        }
    }

    /// How the body is delimited (RFC 3261 §18.3).
    public enum Framing: Sendable {
        /// One message per datagram: a missing Content-Length means "the rest of the datagram";
        /// octets after Content-Length bytes of body are ignored.
        case datagram
        /// Already framed from a stream by `SIPStreamFramer`: Content-Length is mandatory.
        case stream
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Parses and validates one message.
    public func parse(_ bytes: [UInt8], framing: Framing = .datagram) throws(SIPParseError) -> SIPMessage {
        let result: Result<SIPMessage, SIPParseError> = bytes.withUnsafeBufferPointer { buf in
            do throws(SIPParseError) {
                return .success(try parse(buffer: buf, framing: framing))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses and validates one message from raw memory (used by the transport with ByteBuffer).
    public func parse(buffer p: UnsafeBufferPointer<UInt8>, framing: Framing = .datagram) throws(SIPParseError) -> SIPMessage {
        let message = try parseUnvalidated(buffer: p, framing: framing)
        do {
            try SIPMessageValidator.validate(message)
        } catch {
            throw error.with(partial: message)
        }
        return message
    }

    /// Lexical parse only: start line, header fields, body framing. No header semantics.
    public func parseUnvalidated(buffer p: UnsafeBufferPointer<UInt8>, framing: Framing) throws(SIPParseError) -> SIPMessage {
        let n = p.count
        guard n <= configuration.maxMessageSize else { throw .messageTooLarge(n, limit: configuration.maxMessageSize) }
        var i = 0
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        while i + 1 < n, p[i] == SIPGrammar.cr, p[i + 1] == SIPGrammar.lf { i += 2 }
        guard let headerEnd = Self.findHeaderEnd(p, from: i) else { throw .incompleteHeaders }

        // Start line.
        guard let firstLineEnd = Self.findCRLF(p, from: i, to: headerEnd + 2) else { throw .incompleteHeaders }
        let startLine = try Self.checkedString(p, i, firstLineEnd, allowUTF8: true)
        var fields: [SIPHeaderField] = []
        fields.reserveCapacity(16)
        var lineStart = firstLineEnd + 2
        var pendingName: String?
        var pendingValue: [UInt8] = []

        func flush() throws(SIPParseError) {
            guard let name = pendingName else { return }
            guard fields.count < configuration.maxHeaderCount else { throw .tooManyHeaders(limit: configuration.maxHeaderCount) }
            let value = String(decoding: pendingValue, as: UTF8.self)
            fields.append(SIPHeaderField(name: SIPHeaderName(name), value: String(SIPGrammar.trimmed(value))))
            pendingName = nil
        }

        var badLine: SIPParseError?
        do throws(SIPParseError) {
            while lineStart < headerEnd + 2 {
                guard let lineEnd = Self.findCRLF(p, from: lineStart, to: headerEnd + 2) else { break }
                if SIPGrammar.isWhitespace(p[lineStart]) {
                    // Folded continuation (LWS): joins the previous field with one SP.
                    guard pendingName != nil else {
                        badLine = badLine ?? .malformedHeaderLine("continuation before any header")
                        lineStart = lineEnd + 2
                        continue
                    }
                    try Self.checkLine(p, lineStart, lineEnd)
                    // RFC 3261 §7.3.1: the fold and surrounding whitespace become one SP.
                    while let last = pendingValue.last, SIPGrammar.isWhitespace(last) { pendingValue.removeLast() }
                    var contentStart = lineStart
                    while contentStart < lineEnd, SIPGrammar.isWhitespace(p[contentStart]) { contentStart += 1 }
                    pendingValue.append(SIPGrammar.space)
                    pendingValue.append(contentsOf: UnsafeBufferPointer(rebasing: p[contentStart..<lineEnd]))
                } else {
                    try flush()
                    try Self.checkLine(p, lineStart, lineEnd)
                    let colon: Int, nameEnd: Int
                    switch Self.headerName(p, lineStart, lineEnd) {
                    case .success(let found): (colon, nameEnd) = found
                    case .failure(let problem):
                        // Skip the line but remember the error: the rest is still read so the 400 can
                        // carry Via, From, To, Call-ID and CSeq wherever they are.
                        badLine = badLine ?? problem
                        lineStart = lineEnd + 2
                        continue
                    }
                    pendingName = String(decoding: UnsafeBufferPointer(rebasing: p[lineStart..<nameEnd]), as: UTF8.self)
                    pendingValue.removeAll(keepingCapacity: true)
                    pendingValue.append(contentsOf: UnsafeBufferPointer(rebasing: p[(colon + 1)..<lineEnd]))
                }
                if pendingValue.count + (pendingName?.utf8.count ?? 0) > configuration.maxHeaderLength {
                    throw .headerTooLong(limit: configuration.maxHeaderLength)
                }
                lineStart = lineEnd + 2
            }
            try flush()
            if let badLine { throw badLine }
        } catch {
            // A bad header line: keep the good fields, so a 400 can still be answered
            // (RFC 3261 §21.4.1) rather than the request going unanswered into retransmissions.
            if let partial = try? Self.parseStartLine(startLine, headers: SIPHeaders(fields)) { throw error.with(partial: partial) }
            throw error
        }
        let headers = SIPHeaders(fields)

        var message = try Self.parseStartLine(startLine, headers: headers)

        // Body framing (RFC 3261 §18.3, §20.14).
        let bodyStart = headerEnd + 4
        let available = n - bodyStart
        let length: Int
        do throws(SIPParseError) {
            if let cl = try headers.contentLength() {
                guard cl <= available else { throw SIPParseError.bodyTruncated(expected: cl, available: available) }
                length = cl
            } else {
                guard framing == .datagram else { throw SIPParseError.missingContentLength }
                length = available
            }
        } catch {
            throw error.with(partial: message)
        }
        if length > 0 {
            let body = Array(UnsafeBufferPointer(rebasing: p[bodyStart..<(bodyStart + length)]))
            switch message {
            case .request(var r):
                r.body = body
                message = .request(r)
            case .response(var r):
                r.body = body
                message = .response(r)
            }
        }
        return message
    }

    /// The colon and the end of the name of a header line, or what is wrong with it.
    static func headerName(_ p: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> Result<(Int, Int), SIPParseError> {
        var colon = lineStart
        while colon < lineEnd, p[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < lineEnd else { return .failure(.malformedHeaderLine("header line without ':'")) }
        var nameEnd = colon
        while nameEnd > lineStart, SIPGrammar.isWhitespace(p[nameEnd - 1]) { nameEnd -= 1 }
        guard nameEnd > lineStart else { return .failure(.malformedHeaderLine("empty header name")) }
        for k in lineStart..<nameEnd where !SIPGrammar.isTokenByte(p[k]) {
            return .failure(.malformedHeaderLine("invalid header name"))
        }
        return .success((colon, nameEnd))
    }

    static func parseStartLine(_ line: String, headers: SIPHeaders) throws(SIPParseError) -> SIPMessage {
        if line.hasPrefix("SIP/") || line.hasPrefix("sip/") {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2 else { throw .malformedStartLine("status line") }
            guard parts[0].uppercased() == "SIP/2.0" else { throw .unsupportedVersion(String(parts[0])) }
            let codeText = parts[1]
            guard codeText.utf8.count == 3, let code = SIPGrammar.parseDecimal(codeText, limit: 699), code >= 100 else {
                throw .malformedStatusCode(String(codeText.prefix(16)))
            }
            let reason = parts.count == 3 ? String(parts[2]) : ""
            return .response(SIPResponse(statusCode: Int(code), reasonPhrase: reason, headers: headers))
        }
        // Request-Line = Method SP Request-URI SP SIP-Version
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, SIPGrammar.isToken(parts[0]) else { throw .malformedStartLine("request line") }
        let version = parts[2]
        guard Self.isVersionSyntax(version) else { throw .malformedStartLine("SIP version") }
        let method = SIPMethod(rawValue: String(parts[0]))
        let uri: AnyURI
        do {
            uri = try AnyURI.parse(parts[1])
        } catch {
            // Keep what was read so a 400 can still be answered.
            let placeholder = SIPRequest(method: method, uri: .absolute(scheme: "invalid", rest: "uri"), version: String(version), headers: headers)
            throw error.with(partial: .request(placeholder))
        }
        return .request(SIPRequest(method: method, uri: uri, version: String(version), headers: headers))
    }

    /// `"SIP" "/" 1*DIGIT "." 1*DIGIT` (RFC 3261 §7.1), case-insensitive.
    static func isVersionSyntax(_ v: Substring) -> Bool {
        guard v.count >= 7, v.prefix(4).uppercased() == "SIP/" else { return false }
        let nums = v.dropFirst(4).split(separator: ".", omittingEmptySubsequences: false)
        return nums.count == 2 && nums.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(SIPGrammar.isDigit) }
    }

    /// Index of the first CRLFCRLF at or after `from`.
    static func findHeaderEnd(_ p: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        let n = p.count
        while i + 3 < n {
            if p[i + 3] != SIPGrammar.lf { i += p[i + 3] == SIPGrammar.cr ? 1 : 4; continue }
            if p[i] == SIPGrammar.cr, p[i + 1] == SIPGrammar.lf, p[i + 2] == SIPGrammar.cr { return i }
            i += 1
        }
        return nil
    }

    static func findCRLF(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        var i = from
        while i + 1 < to {
            if p[i] == SIPGrammar.cr, p[i + 1] == SIPGrammar.lf { return i }
            i += 1
        }
        return nil
    }

    /// Rejects NUL, bare CR and bare LF inside a header line.
    static func checkLine(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) throws(SIPParseError) {
        for k in from..<to {
            let b = p[k]
            if b == 0 || b == SIPGrammar.cr || b == SIPGrammar.lf { throw .malformedHeaderLine("control character in header") }
        }
    }

    static func checkedString(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, allowUTF8: Bool) throws(SIPParseError) -> String {
        try checkLine(p, from, to)
        return String(decoding: UnsafeBufferPointer(rebasing: p[from..<to]), as: UTF8.self)
    }
}
