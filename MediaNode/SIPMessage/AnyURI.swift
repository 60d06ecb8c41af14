/// Any URI that may appear in a Request-URI or a name-addr (RFC 3261 §19, RFC 3966 tel, or an
/// absoluteURI of an unknown scheme kept opaque so the UAS can answer 416).
public enum AnyURI: Hashable, Sendable, CustomStringConvertible {
    case sip(SIPURI)
    case tel(TelURI)
    case absolute(scheme: String, rest: String)

    /// Parses a URI; unknown schemes are accepted as opaque `absolute` URIs.
    public static func parse<S: StringProtocol>(_ text: S) throws(SIPParseError) -> AnyURI {
        let s = Substring(text)
        guard let colon = s.firstByte(UInt8(ascii: ":")), colon != s.startIndex else { throw .malformedURI("no scheme") }
        let scheme = s[..<colon]
        guard let first = scheme.utf8.first, SIPGrammar.isAlpha(first),
              scheme.utf8.allSatisfy({ SIPGrammar.isAlpha($0) || SIPGrammar.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { throw .malformedURI("scheme") }
        let rest = s[s.index(after: colon)...]
        guard !rest.isEmpty,
              rest.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\"") })
        else { throw .malformedURI("characters") }
        switch scheme.lowercased() {
        case "sip": return .sip(try SIPURI.parse(afterScheme: rest, secure: false))
        case "sips": return .sip(try SIPURI.parse(afterScheme: rest, secure: true))
        case "tel": return .tel(try TelURI.parse(rest))
        default: return .absolute(scheme: String(scheme), rest: String(rest))
        }
    }

    /// The SIP/SIPS URI, if this is one.
    public var sipURI: SIPURI? {
        if case .sip(let u) = self { return u }
        return nil
    }

    public var scheme: String {
        switch self {
        case .sip(let u): return u.scheme
        case .tel: return "tel"
        case .absolute(let scheme, _): return scheme.lowercased()
        }
    }

    public var description: String {
        switch self {
        case .sip(let u): return u.description
        case .tel(let t): return t.description
        case .absolute(let scheme, let rest): return scheme + ":" + rest
        }
    }
}

/// A tel URI (RFC 3966): a global (`+...`) or local number with parameters.
public struct TelURI: Hashable, Sendable, CustomStringConvertible {
    public var number: String
    public var parameters: [SIPParameter]

    public init(number: String, parameters: [SIPParameter] = []) {
        self.number = number
        self.parameters = parameters
    }

    static func parse(_ s: Substring) throws(SIPParseError) -> TelURI {
        let parts = s.splitBytes(UInt8(ascii: ";"))
        let number = parts[0]
        guard !number.isEmpty, number.utf8.allSatisfy({
            SIPGrammar.isDigit($0) || PercentEncoding.hexValue($0) != nil || "+-.()*#".utf8.contains($0)
        }) else { throw .malformedURI("tel number") }
        var params: [SIPParameter] = []
        for p in parts.dropFirst() {
            guard !p.isEmpty else { throw .malformedURI("tel parameter") }
            if let eq = p.firstByte(UInt8(ascii: "=")) {
                params.append(SIPParameter(String(p[..<eq]), String(p[p.index(after: eq)...])))
            } else {
                params.append(SIPParameter(String(p)))
            }
        }
        return TelURI(number: String(number), parameters: params)
    }

    public var description: String {
        "tel:" + number + parameters.map { ";" + $0.name + ($0.value.map { "=" + $0 } ?? "") }.joined()
    }
}
