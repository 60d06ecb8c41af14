/// A SIP or SIPS URI (RFC 3261 §19.1). User, password, parameters and headers are stored
/// %-decoded (once); `description` re-escapes what needs escaping.
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
    public var isSecure: Bool
    public var user: String?
    public var password: String?
    /// Host as written: a hostname, an IPv4 address or a bracketed IPv6 reference `[::1]`.
    public var host: String
    public var port: Int?
    public var parameters: [SIPParameter]
    public var headers: [SIPParameter]

    public init(
        secure: Bool = false, user: String? = nil, password: String? = nil, host: String, port: Int? = nil,
        parameters: [SIPParameter] = [], headers: [SIPParameter] = []
    ) {
        self.isSecure = secure
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    public var scheme: String { isSecure ? "sips" : "sip" }

    /// The `transport` URI parameter, lower-cased.
    public var transport: String? { parameters.parameter("transport").flatMap { $0?.lowercased() } }

    /// True if the URI carries `lr` (loose routing, RFC 3261 §16.12).
    public var isLooseRouter: Bool { parameters.has("lr") }

    /// The address-of-record form: scheme, user and host only, host lower-cased (RFC 3261 §10.3 step 5).
    public var addressOfRecord: String {
        var s = scheme + ":"
        if let user { s += PercentEncoding.encode(user, .user) + "@" }
        return s + host.lowercased()
    }

    public var description: String {
        var s = scheme + ":"
        if let user {
            s += PercentEncoding.encode(user, .user)
            if let password { s += ":" + PercentEncoding.encode(password, .password) }
            s += "@"
        }
        s += host
        if let port { s += ":\(port)" }
        for p in parameters {
            s += ";" + PercentEncoding.encode(p.name, .parameter)
            if let v = p.value { s += "=" + PercentEncoding.encode(v, .parameter) }
        }
        if !headers.isEmpty {
            s += "?" + headers.map {
                PercentEncoding.encode($0.name, .header) + "=" + PercentEncoding.encode($0.value ?? "", .header)
            }.joined(separator: "&")
        }
        return s
    }

    /// Parses the part after `sip:` / `sips:`.
    static func parse(afterScheme rest: Substring, secure: Bool) throws(SIPParseError) -> SIPURI {
        var hostPart = rest
        var user: String?
        var password: String?
        if let at = rest.firstByte(UInt8(ascii: "@")) {
            let userinfo = rest[..<at]
            hostPart = rest[rest.index(after: at)...]
            let userRaw: Substring
            if let colon = userinfo.firstByte(UInt8(ascii: ":")) {
                userRaw = userinfo[..<colon]
                guard let pw = PercentEncoding.decode(userinfo[userinfo.index(after: colon)...], .password) else {
                    throw .malformedURI("password")
                }
                password = pw
            } else {
                userRaw = userinfo
            }
            guard !userRaw.isEmpty, let u = PercentEncoding.decode(userRaw, .user) else { throw .malformedURI("user") }
            user = u
        }
        var headersPart: Substring?
        if let q = hostPart.firstByte(UInt8(ascii: "?")) {
            headersPart = hostPart[hostPart.index(after: q)...]
            hostPart = hostPart[..<q]
        }
        var paramPart: Substring?
        if let semi = hostPart.firstByte(UInt8(ascii: ";")) {
            paramPart = hostPart[hostPart.index(after: semi)...]
            hostPart = hostPart[..<semi]
        }
        let (host, port) = try parseHostPort(hostPart)
        var parameters: [SIPParameter] = []
        if let paramPart {
            for raw in paramPart.splitBytes(UInt8(ascii: ";")) {
                parameters.append(try parseURIParameter(raw, .parameter))
            }
        }
        var headers: [SIPParameter] = []
        if let headersPart {
            for raw in headersPart.splitBytes(UInt8(ascii: "&")) {
                headers.append(try parseURIParameter(raw, .header))
            }
        }
        return SIPURI(
            secure: secure, user: user, password: password, host: host, port: port,
            parameters: parameters, headers: headers
        )
    }

    private static func parseURIParameter(
        _ raw: Substring, _ component: PercentEncoding.Component
    ) throws(SIPParseError) -> SIPParameter {
        let name: Substring
        var value: String?
        if let eq = raw.firstByte(UInt8(ascii: "=")) {
            name = raw[..<eq]
            guard let v = PercentEncoding.decode(raw[raw.index(after: eq)...], component) else {
                throw .malformedURI("parameter value")
            }
            value = v
        } else {
            name = raw
        }
        guard !name.isEmpty, let n = PercentEncoding.decode(name, component) else { throw .malformedURI("parameter") }
        return SIPParameter(n, value)
    }

    /// `hostport = host [ ":" port ]` with host = hostname / IPv4address / IPv6reference.
    static func parseHostPort(_ s: Substring) throws(SIPParseError) -> (String, Int?) {
        var hostEnd = s.endIndex
        var portPart: Substring?
        if s.first == "[" {
            guard let close = s.firstByte(UInt8(ascii: "]")) else { throw .malformedURI("IPv6 reference") }
            let inner = s[s.index(after: s.startIndex)..<close]
            guard !inner.isEmpty, inner.utf8.allSatisfy({ PercentEncoding.hexValue($0) != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { throw .malformedURI("IPv6 reference") }
            hostEnd = s.index(after: close)
            if hostEnd != s.endIndex {
                guard s[hostEnd] == ":" else { throw .malformedURI("host") }
                portPart = s[s.index(after: hostEnd)...]
            }
        } else if let colon = s.firstByte(UInt8(ascii: ":")) {
            hostEnd = colon
            portPart = s[s.index(after: colon)...]
        }
        let host = s[..<hostEnd]
        guard !host.isEmpty else { throw .malformedURI("empty host") }
        if host.first != "[" {
            guard host.utf8.allSatisfy({ SIPGrammar.isAlpha($0) || SIPGrammar.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
            else { throw .malformedURI("host") }
        }
        var port: Int?
        if let portPart {
            guard let p = SIPGrammar.parseDecimal(portPart, limit: 65535) else { throw .malformedURI("port") }
            port = Int(p)
        }
        return (String(host), port)
    }
}

extension SIPURI {
    /// URI equivalence per RFC 3261 §19.1.4: scheme, user and password case-sensitive, host
    /// case-insensitive, parameters present in both must match, user/ttl/method/maddr/transport
    /// must match when present in either, headers must match.
    public func isEquivalent(to other: SIPURI) -> Bool {
        guard isSecure == other.isSecure, user == other.user, password == other.password,
              host.lowercased() == other.host.lowercased(), port == other.port
        else { return false }
        for special in ["user", "ttl", "method", "maddr", "transport"] {
            let a = parameters.parameter(special).map { $0?.lowercased() }
            let b = other.parameters.parameter(special).map { $0?.lowercased() }
            if a != b { return false }
        }
        // A repeated parameter (`;maddr=a;maddr=b`: RFC 3261 does not define it) counts by its first
        // occurrence, as every lookup reads it — comparing each occurrence made a URI unequal to itself.
        var compared: Set<String> = []
        for p in parameters where compared.insert(p.name.lowercased()).inserted {
            if let o = other.parameters.parameter(p.name), let mine = parameters.parameter(p.name),
               o?.lowercased() != mine?.lowercased() { return false }
        }
        let h1 = Set(headers.map { "\($0.name.lowercased())=\($0.value ?? "")" })
        let h2 = Set(other.headers.map { "\($0.name.lowercased())=\($0.value ?? "")" })
        return h1 == h2
    }
}
