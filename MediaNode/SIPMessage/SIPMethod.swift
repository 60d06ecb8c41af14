/// A SIP request method (RFC 3261 §7.1, extension methods are any `token`). Case-sensitive.
public struct SIPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let invite = SIPMethod(rawValue: "INVITE")
    public static let ack = SIPMethod(rawValue: "ACK")
    public static let bye = SIPMethod(rawValue: "BYE")
    public static let cancel = SIPMethod(rawValue: "CANCEL")
    public static let options = SIPMethod(rawValue: "OPTIONS")
    public static let register = SIPMethod(rawValue: "REGISTER")
    public static let info = SIPMethod(rawValue: "INFO")
    public static let update = SIPMethod(rawValue: "UPDATE")
    public static let refer = SIPMethod(rawValue: "REFER")
    public static let notify = SIPMethod(rawValue: "NOTIFY")
    public static let subscribe = SIPMethod(rawValue: "SUBSCRIBE")
    public static let message = SIPMethod(rawValue: "MESSAGE")
    public static let prack = SIPMethod(rawValue: "PRACK")
    public static let publish = SIPMethod(rawValue: "PUBLISH")

    public var description: String { rawValue }
}
