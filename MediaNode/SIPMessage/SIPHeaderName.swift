/// A header field name, compared case-insensitively with compact forms expanded (RFC 3261 §7.3.3).
public struct SIPHeaderName: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Lower-cased long form, used for comparison.
    public let key: String
    /// The spelling used when serializing (canonical for known names, as received otherwise).
    public let spelling: String

    public init(_ raw: String) {
        if let known = SIPHeaderName.table[raw] {
            self = known
            return
        }
        let lower = raw.lowercased()
        if let known = SIPHeaderName.table[lower] {
            self = known
        } else {
            self.key = lower
            self.spelling = raw
        }
    }

    public init(stringLiteral value: String) { self.init(value) }

    private init(key: String, spelling: String) {
        self.key = key
        self.spelling = spelling
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public var description: String { spelling }

    public static let via = SIPHeaderName(key: "via", spelling: "Via")
    public static let from = SIPHeaderName(key: "from", spelling: "From")
    public static let to = SIPHeaderName(key: "to", spelling: "To")
    public static let callID = SIPHeaderName(key: "call-id", spelling: "Call-ID")
    public static let cseq = SIPHeaderName(key: "cseq", spelling: "CSeq")
    public static let contact = SIPHeaderName(key: "contact", spelling: "Contact")
    public static let maxForwards = SIPHeaderName(key: "max-forwards", spelling: "Max-Forwards")
    public static let contentLength = SIPHeaderName(key: "content-length", spelling: "Content-Length")
    public static let contentType = SIPHeaderName(key: "content-type", spelling: "Content-Type")
    public static let contentEncoding = SIPHeaderName(key: "content-encoding", spelling: "Content-Encoding")
    public static let route = SIPHeaderName(key: "route", spelling: "Route")
    public static let recordRoute = SIPHeaderName(key: "record-route", spelling: "Record-Route")
    public static let expires = SIPHeaderName(key: "expires", spelling: "Expires")
    public static let minExpires = SIPHeaderName(key: "min-expires", spelling: "Min-Expires")
    public static let require = SIPHeaderName(key: "require", spelling: "Require")
    public static let proxyRequire = SIPHeaderName(key: "proxy-require", spelling: "Proxy-Require")
    public static let supported = SIPHeaderName(key: "supported", spelling: "Supported")
    public static let unsupported = SIPHeaderName(key: "unsupported", spelling: "Unsupported")
    public static let allow = SIPHeaderName(key: "allow", spelling: "Allow")
    public static let accept = SIPHeaderName(key: "accept", spelling: "Accept")
    public static let subject = SIPHeaderName(key: "subject", spelling: "Subject")
    public static let userAgent = SIPHeaderName(key: "user-agent", spelling: "User-Agent")
    public static let server = SIPHeaderName(key: "server", spelling: "Server")
    public static let wwwAuthenticate = SIPHeaderName(key: "www-authenticate", spelling: "WWW-Authenticate")
    public static let authorization = SIPHeaderName(key: "authorization", spelling: "Authorization")
    public static let proxyAuthenticate = SIPHeaderName(key: "proxy-authenticate", spelling: "Proxy-Authenticate")
    public static let proxyAuthorization = SIPHeaderName(key: "proxy-authorization", spelling: "Proxy-Authorization")
    public static let event = SIPHeaderName(key: "event", spelling: "Event")
    public static let subscriptionState = SIPHeaderName(key: "subscription-state", spelling: "Subscription-State")
    public static let referTo = SIPHeaderName(key: "refer-to", spelling: "Refer-To")
    public static let referredBy = SIPHeaderName(key: "referred-by", spelling: "Referred-By")
    public static let sessionExpires = SIPHeaderName(key: "session-expires", spelling: "Session-Expires")
    public static let minSE = SIPHeaderName(key: "min-se", spelling: "Min-SE")
    public static let retryAfter = SIPHeaderName(key: "retry-after", spelling: "Retry-After")
    public static let timestamp = SIPHeaderName(key: "timestamp", spelling: "Timestamp")
    public static let allowEvents = SIPHeaderName(key: "allow-events", spelling: "Allow-Events")
    public static let identity = SIPHeaderName(key: "identity", spelling: "Identity")

    /// Known names keyed by their lower-case and canonical spellings (one hash lookup per header).
    static let table: [String: SIPHeaderName] = {
        var t: [String: SIPHeaderName] = [:]
        let names = ["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq", "contact", "m", "max-forwards",
                     "content-length", "l", "content-type", "c", "content-encoding", "e", "route", "record-route",
                     "expires", "min-expires", "require", "proxy-require", "supported", "k", "unsupported", "allow",
                     "accept", "subject", "s", "user-agent", "server", "www-authenticate", "authorization",
                     "proxy-authenticate", "proxy-authorization", "event", "o", "subscription-state", "refer-to", "r",
                     "referred-by", "b", "session-expires", "x", "min-se", "retry-after", "timestamp", "allow-events",
                     "u", "identity", "y"]
        for n in names {
            if let k = known(n) {
                t[n] = k
                t[k.spelling] = k
            }
        }
        return t
    }()

    /// Known names by lower-cased long or compact form (RFC 3261 §7.3.3, RFC 3515, RFC 4028, RFC 3265).
    static func known(_ lower: String) -> SIPHeaderName? {
        switch lower {
        case "via", "v": return .via
        case "from", "f": return .from
        case "to", "t": return .to
        case "call-id", "i": return .callID
        case "cseq": return .cseq
        case "contact", "m": return .contact
        case "max-forwards": return .maxForwards
        case "content-length", "l": return .contentLength
        case "content-type", "c": return .contentType
        case "content-encoding", "e": return .contentEncoding
        case "route": return .route
        case "record-route": return .recordRoute
        case "expires": return .expires
        case "min-expires": return .minExpires
        case "require": return .require
        case "proxy-require": return .proxyRequire
        case "supported", "k": return .supported
        case "unsupported": return .unsupported
        case "allow": return .allow
        case "accept": return .accept
        case "subject", "s": return .subject
        case "user-agent": return .userAgent
        case "server": return .server
        case "www-authenticate": return .wwwAuthenticate
        case "authorization": return .authorization
        case "proxy-authenticate": return .proxyAuthenticate
        case "proxy-authorization": return .proxyAuthorization
        case "event", "o": return .event
        case "subscription-state": return .subscriptionState
        case "refer-to", "r": return .referTo
        case "referred-by", "b": return .referredBy
        case "session-expires", "x": return .sessionExpires
        case "min-se": return .minSE
        case "retry-after": return .retryAfter
        case "timestamp": return .timestamp
        case "allow-events", "u": return .allowEvents
        case "identity", "y": return .identity
        default: return nil
        }
    }
}
