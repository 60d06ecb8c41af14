import SIPMessage

/// Identifies a transaction (RFC 3261 §17.1.3, §17.2.3). For RFC 3261 branches it is the
/// branch, sent-by and method (ACK maps to INVITE); for RFC 2543 peers (no magic cookie) it is
/// built from Request-URI, tags, Call-ID, CSeq and top Via (§17.2.3 fallback).
public struct TransactionKey: Hashable, Sendable, CustomStringConvertible {
    public let value: String
    public let method: SIPMethod

    public init(value: String, method: SIPMethod) {
        self.value = value
        self.method = method
    }

    public var description: String { "\(method.rawValue)/\(value)" }

    /// Key of the server transaction an incoming request belongs to. ACK matches its INVITE.
    public static func server(for request: SIPRequest) throws(SIPParseError) -> TransactionKey {
        let via = try request.headers.topVia()
        let method: SIPMethod = request.method == .ack ? .invite : request.method
        if via.isRFC3261Branch, let branch = via.branch {
            return TransactionKey(value: "\(branch)|\(via.host.lowercased()):\(via.port ?? 0)", method: method)
        }
        // RFC 2543 matching (§17.2.3): To tag is ignored for ACK so it matches the INVITE.
        let cseq = try request.headers.cseq()
        let from = try request.headers.from()
        let toTag = request.method == .ack ? "" : (try request.headers.to().tag ?? "")
        let callID = try request.headers.callID()
        let value = "2543|\(request.uri)|\(from.tag ?? "")|\(toTag)|\(callID)|\(cseq.sequence)|\(via.description)"
        return TransactionKey(value: value, method: method)
    }

    /// Key of the client transaction a response belongs to: top Via branch and CSeq method (§17.1.3).
    public static func client(for response: SIPResponse) throws(SIPParseError) -> TransactionKey {
        let via = try response.headers.topVia()
        let cseq = try response.headers.cseq()
        guard let branch = via.branch else { throw .malformedHeader("Via", "response without branch") }
        return TransactionKey(value: branch, method: cseq.method == .ack ? .invite : cseq.method)
    }

    /// Key of a client transaction we create with `branch` for `method`.
    public static func client(branch: String, method: SIPMethod) -> TransactionKey {
        TransactionKey(value: branch, method: method)
    }
}
