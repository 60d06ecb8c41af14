/// One Via header value (RFC 3261 §20.42, §18.2.1; rport per RFC 3581).
public struct Via: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3261 §8.1.1.7: branches starting with this are globally unique transaction ids.
    public static let magicCookie = "z9hG4bK"

    public var protocolName: String
    public var protocolVersion: String
    /// Transport in upper case (UDP, TCP, TLS, SCTP, WS...).
    public var transport: String
    public var host: String
    public var port: Int?
    public var parameters: [SIPParameter]

    public init(transport: String, host: String, port: Int? = nil, branch: String? = nil, rport: Bool = false) {
        self.protocolName = "SIP"
        self.protocolVersion = "2.0"
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = []
        if let branch { parameters.append(SIPParameter("branch", branch)) }
        if rport { parameters.append(SIPParameter("rport")) }
    }

    public var branch: String? { parameters.parameter("branch") ?? nil }
    public var received: String? { parameters.parameter("received") ?? nil }
    /// `rport` value if the server filled it in (RFC 3581 §4).
    public var rportValue: Int? { (parameters.parameter("rport") ?? nil).flatMap { Int($0) } }
    /// True if the client asked for symmetric response routing (RFC 3581 §3).
    public var hasRport: Bool { parameters.has("rport") }
    public var maddr: String? { parameters.parameter("maddr") ?? nil }

    /// True if the branch carries the RFC 3261 magic cookie.
    public var isRFC3261Branch: Bool { branch?.hasPrefix(Via.magicCookie) ?? false }

    public var description: String {
        var s = "\(protocolName)/\(protocolVersion)/\(transport) \(host)"
        if let port { s += ":\(port)" }
        for p in parameters {
            s += ";" + p.name
            if let v = p.value { s += "=" + v }
        }
        return s
    }

    /// Parses one via-parm: `sent-protocol LWS sent-by *( SEMI via-params )`.
    public static func parse<S: StringProtocol>(_ value: S) throws(SIPParseError) -> Via {
        var sc = HeaderScanner(value, header: "Via")
        sc.skipWhitespace()
        let name = try sc.requireToken()
        try sc.expect(UInt8(ascii: "/"))
        let version = try sc.requireToken()
        try sc.expect(UInt8(ascii: "/"))
        let transport = try sc.requireToken()
        sc.skipWhitespace()
        let hostPort = sc.take { $0 != UInt8(ascii: ";") && !SIPGrammar.isWhitespace($0) }
        var hp = Substring(hostPort)
        // Allow LWS around the sent-by colon ("host : port").
        sc.skipWhitespace()
        if sc.peek == UInt8(ascii: ":") {
            sc.index += 1
            sc.skipWhitespace()
            hp = Substring(String(hostPort) + ":" + sc.take { SIPGrammar.isDigit($0) })
        }
        guard !hp.isEmpty else { throw .malformedHeader("Via", "missing sent-by") }
        let host: String
        let port: Int?
        do {
            (host, port) = try SIPURI.parseHostPort(hp)
        } catch {
            throw .malformedHeader("Via", "sent-by")
        }
        let params = try sc.parameters()
        for p in params {
            switch p.name.lowercased() {
            case "ttl":
                guard let v = p.value, SIPGrammar.parseDecimal(v, limit: 255) != nil else { throw .valueOutOfRange("Via ttl") }
            case "branch", "received", "maddr":
                guard p.value != nil else { throw .malformedHeader("Via", "\(p.name) needs a value") }
            case "rport":
                if let v = p.value, SIPGrammar.parseDecimal(v, limit: 65535) == nil { throw .valueOutOfRange("Via rport") }
            default: break
            }
        }
        var via = Via(transport: String(transport), host: host, port: port)
        via.protocolName = String(name)
        via.protocolVersion = String(version)
        via.parameters = params
        return via
    }
}
