import NIOCore
import SIPMessage

/// A transport protocol SIP runs over (RFC 3261 §18). TLS is a later addition behind the same seam.
public enum SIPTransportProtocol: String, Hashable, Sendable {
    case udp = "UDP"
    case tcp = "TCP"

    /// Reliable transports need no retransmissions (RFC 3261 §17.1.1.2).
    public var isReliable: Bool { self != .udp }

    public init?(viaTransport: String) {
        switch viaTransport.uppercased() {
        case "UDP": self = .udp
        case "TCP": self = .tcp
        default: return nil
        }
    }
}

/// A remote (or local) transport address: protocol plus socket address.
public struct SIPEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var transport: SIPTransportProtocol
    public var address: SocketAddress

    public init(_ transport: SIPTransportProtocol, _ address: SocketAddress) {
        self.transport = transport
        self.address = address
    }

    public var description: String { "\(transport.rawValue.lowercased()):\(address.ipAddress ?? "?"):\(address.port ?? 0)" }
}

/// A message received by the transport, with where it came from (Via already stamped with
/// `received`/`rport` for requests, RFC 3261 §18.2.1 and RFC 3581 §4).
public struct SIPInbound: Sendable {
    public var message: SIPMessage
    public var source: SIPEndpoint
    /// The local address it arrived on.
    public var local: SIPEndpoint

    public init(message: SIPMessage, source: SIPEndpoint, local: SIPEndpoint) {
        self.message = message
        self.source = source
        self.local = local
    }
}
