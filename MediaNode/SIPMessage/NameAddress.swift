/// `( name-addr / addr-spec ) *( SEMI param )` as used by From, To, Contact, Route,
/// Record-Route, Refer-To (RFC 3261 §20.10, §20.20, §20.39, §25.1).
public struct NameAddress: Hashable, Sendable, CustomStringConvertible {
    public var displayName: String?
    public var uri: AnyURI
    /// Header parameters (tag, expires, q, ...), not URI parameters.
    public var parameters: [SIPParameter]

    public init(displayName: String? = nil, uri: AnyURI, parameters: [SIPParameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    public init(displayName: String? = nil, uri: SIPURI, parameters: [SIPParameter] = []) {
        self.init(displayName: displayName, uri: .sip(uri), parameters: parameters)
    }

    public var tag: String? { parameters.parameter("tag") ?? nil }

    /// Always serialized in name-addr form (`<...>`), which is safe for any URI (RFC 3261 §20.10).
    public var description: String {
        var s = ""
        if let displayName {
            s += "\"" + displayName.replacingBackslashesAndQuotes() + "\" "
        }
        s += "<" + uri.description + ">"
        for p in parameters {
            s += ";" + p.name
            if let v = p.value { s += "=" + v }
        }
        return s
    }

    public static func parse<S: StringProtocol>(_ value: S, header: String = "address") throws(SIPParseError) -> NameAddress {
        var sc = HeaderScanner(value, header: header)
        sc.skipWhitespace()
        var display: String?
        let hasAngle = value.utf8.contains(UInt8(ascii: "<"))
        if sc.peek == UInt8(ascii: "\"") {
            display = try sc.quotedString()
            sc.skipWhitespace()
            guard sc.peek == UInt8(ascii: "<") else { throw .malformedHeader(header, "expected '<' after display name") }
        } else if hasAngle, sc.peek != UInt8(ascii: "<") {
            // display-name = *(token LWS); RFC 4475 §3.1.1.6 allows no LWS before '<'.
            let d = sc.take { SIPGrammar.isTokenByte($0) || SIPGrammar.isWhitespace($0) }
            guard sc.peek == UInt8(ascii: "<") else { throw .malformedHeader(header, "display name") }
            display = String(SIPGrammar.trimmed(d))
        }
        let uriText: Substring
        if sc.peek == UInt8(ascii: "<") {
            sc.index += 1
            uriText = sc.take { $0 != UInt8(ascii: ">") }
            guard sc.peek == UInt8(ascii: ">") else { throw .malformedHeader(header, "missing '>'") }
            sc.index += 1
        } else {
            // addr-spec: the URI cannot contain ';', so anything after it is a header parameter.
            uriText = sc.take { $0 != UInt8(ascii: ";") && !SIPGrammar.isWhitespace($0) }
        }
        let uri = try AnyURI.parse(SIPGrammar.trimmed(uriText))
        let params = try sc.parameters()
        return NameAddress(displayName: display, uri: uri, parameters: params)
    }
}

extension String {
    func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for c in self {
            if c == "\\" || c == "\"" { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
