import NIOCore
import SIPMessage

/// Via processing at the transport layer: stamping received/rport on requests (RFC 3261
/// §18.2.1, RFC 3581 §4) and choosing where a response goes (RFC 3261 §18.2.2, RFC 3581 §4).
public enum ResponseRouting {
    /// Adds `received` when the top Via's host differs from the packet source, and fills in
    /// `rport` (always with `received`) when the client asked for it.
    public static func stamp(_ request: inout SIPRequest, source: SocketAddress) {
        guard let first = request.headers.listValues(.via).first, var via = try? Via.parse(first),
              let ip = source.ipAddress, let port = source.port else { return }
        let hostIP = via.host.hasPrefix("[") ? String(via.host.dropFirst().dropLast()) : via.host
        if via.hasRport {
            via.parameters.set("rport", String(port))
            via.parameters.set("received", ip)
        } else if hostIP != ip {
            via.parameters.set("received", ip)
        } else {
            return
        }
        request.headers.replaceFirstListElement(.via, with: via.description)
    }

    /// Where a response goes: for a reliable transport, the connection the request came on
    /// (the caller tries that first); otherwise received + (rport | sent-by port | 5060), else
    /// sent-by. `default` is the request source when Via gives no usable IP address.
    /// Via `maddr` is ignored (RFC 3261 §18.2.2 sends there, but this element speaks unicast only,
    /// and honouring it lets anyone aim our responses at a third party: a reflection vector).
    public static func destination(for response: SIPResponse, transport: SIPTransportProtocol, requestSource: SocketAddress) -> SIPEndpoint {
        guard let via = try? response.headers.topVia() else { return SIPEndpoint(transport, requestSource) }
        let defaultPort = 5060
        if transport.isReliable {
            let host = via.received ?? via.host
            let port = via.rportValue ?? via.port ?? defaultPort
            if let a = try? SocketAddress(ipAddress: stripBrackets(host), port: port), a == requestSource {
                return SIPEndpoint(transport, a)
            }
            return SIPEndpoint(transport, requestSource)
        }
        if let received = via.received {
            let port = via.rportValue ?? via.port ?? defaultPort
            if let a = try? SocketAddress(ipAddress: stripBrackets(received), port: port) { return SIPEndpoint(transport, a) }
        }
        if let a = try? SocketAddress(ipAddress: stripBrackets(via.host), port: via.rportValue ?? via.port ?? defaultPort) {
            return SIPEndpoint(transport, a)
        }
        return SIPEndpoint(transport, requestSource)
    }

    static func stripBrackets(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
