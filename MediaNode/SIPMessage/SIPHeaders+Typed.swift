// Typed views of the headers the stack interprets (RFC 3261 §20). Each throws a typed
// SIPParseError when the header is present but malformed.

extension SIPHeaders {
    /// All Via values, top first.
    public func vias() throws(SIPParseError) -> [Via] {
        var out: [Via] = []
        for v in listValues(.via) {
            guard !v.isEmpty else { throw .malformedHeader("Via", "empty element") }
            out.append(try Via.parse(v))
        }
        return out
    }

    public func topVia() throws(SIPParseError) -> Via {
        guard let first = listValues(.via).first else { throw .missingHeader("Via") }
        return try Via.parse(first)
    }

    public func from() throws(SIPParseError) -> NameAddress {
        guard let v = self[.from] else { throw .missingHeader("From") }
        return try NameAddress.parse(v, header: "From")
    }

    public func to() throws(SIPParseError) -> NameAddress {
        guard let v = self[.to] else { throw .missingHeader("To") }
        return try NameAddress.parse(v, header: "To")
    }

    /// The Call-ID (`word [ "@" word ]`, RFC 3261 §25.1).
    public func callID() throws(SIPParseError) -> String {
        guard let v = self[.callID], !v.isEmpty else { throw .missingHeader("Call-ID") }
        guard v.utf8.allSatisfy({ SIPGrammar.isWordByte($0) || $0 == UInt8(ascii: "@") }) else {
            throw .malformedHeader("Call-ID")
        }
        return v
    }

    public func cseq() throws(SIPParseError) -> CSeq {
        guard let v = self[.cseq] else { throw .missingHeader("CSeq") }
        return try CSeq.parse(v)
    }

    /// Max-Forwards (0...255), `nil` if absent.
    public func maxForwards() throws(SIPParseError) -> Int? {
        guard let v = self[.maxForwards] else { return nil }
        guard let n = SIPGrammar.parseDecimal(v, limit: 255) else { throw .valueOutOfRange("Max-Forwards") }
        return Int(n)
    }

    public func contact() throws(SIPParseError) -> ContactValue? {
        try ContactValue.parse(self)
    }

    /// Expires in seconds (≤ 2^32-1), `nil` if absent.
    public func expires() throws(SIPParseError) -> UInt32? {
        guard let v = self[.expires] else { return nil }
        guard let n = SIPGrammar.parseDecimal(v, limit: UInt64(UInt32.max)) else { throw .valueOutOfRange("Expires") }
        return UInt32(n)
    }

    public func routes() throws(SIPParseError) -> [NameAddress] { try addressList(.route) }
    public func recordRoutes() throws(SIPParseError) -> [NameAddress] { try addressList(.recordRoute) }

    func addressList(_ name: SIPHeaderName) throws(SIPParseError) -> [NameAddress] {
        var out: [NameAddress] = []
        for e in listValues(name) {
            guard !e.isEmpty else { throw .malformedHeader(name.spelling, "empty element") }
            out.append(try NameAddress.parse(e, header: name.spelling))
        }
        return out
    }

    /// Option tags of Require, Proxy-Require, Supported, Unsupported (RFC 3261 §20.32).
    public func optionTags(_ name: SIPHeaderName) -> [String] {
        listValues(name).filter { !$0.isEmpty }.map { String($0) }
    }

    /// Content-Length; throws on a bad or conflicting value (RFC 3261 §20.14, RFC 4475 §3.1.2.3).
    public func contentLength() throws(SIPParseError) -> Int? {
        var result: Int?
        for v in values(.contentLength) {
            guard let n = SIPGrammar.parseDecimal(v, limit: UInt64(Int32.max)) else { throw .invalidContentLength(v) }
            if let r = result, r != Int(n) { throw .duplicateContentLength }
            result = Int(n)
        }
        return result
    }

    /// The media type of the body, lower-cased, without parameters.
    public var contentType: String? {
        guard let v = self[.contentType] else { return nil }
        return String(SIPGrammar.trimmed(v.split(separator: ";", maxSplits: 1).first ?? "")).lowercased()
    }
}
