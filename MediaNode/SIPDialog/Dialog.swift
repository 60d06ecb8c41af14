import SIPMessage

/// Identifies a dialog from our side (RFC 3261 §12): Call-ID, local tag, remote tag.
public struct DialogID: Hashable, Sendable, CustomStringConvertible {
    public var callID: String
    public var localTag: String
    public var remoteTag: String

    public init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }

    /// The dialog an incoming in-dialog request belongs to (its To tag is ours).
    public static func forIncoming(_ request: SIPRequest) -> DialogID? {
        guard let callID = try? request.headers.callID(), let to = try? request.headers.to(), let localTag = to.tag,
              let from = try? request.headers.from()
        else { return nil }
        return DialogID(callID: callID, localTag: localTag, remoteTag: from.tag ?? "")
    }

    /// The dialog a response to our request belongs to (its From tag is ours).
    public static func forResponse(_ response: SIPResponse) -> DialogID? {
        guard let callID = try? response.headers.callID(), let from = try? response.headers.from(), let localTag = from.tag,
              let to = try? response.headers.to()
        else { return nil }
        return DialogID(callID: callID, localTag: localTag, remoteTag: to.tag ?? "")
    }

    public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
}

/// Dialog state (RFC 3261 §12): route set, remote target, sequence numbers; builds in-dialog
/// requests (§12.2.1.1) and checks incoming ones (§12.2.2). Pure value.
public struct Dialog: Hashable, Sendable {
    public enum State: Hashable, Sendable { case early, confirmed, terminated }

    public var id: DialogID
    public var state: State
    /// Our address (From of our requests).
    public var localAddress: NameAddress
    /// The peer's address (To of our requests).
    public var remoteAddress: NameAddress
    /// Where in-dialog requests go: the peer's Contact, updated by target refreshes.
    public var remoteTarget: AnyURI
    /// Route set, in the order our requests use it.
    public var routeSet: [NameAddress]
    public var localSequence: UInt32
    public var remoteSequence: UInt32?
    /// True if we answered the dialog-creating request.
    public let isServer: Bool

    /// The UAS side of a dialog created by `request` and our response carrying `localTag` (§12.1.1).
    public static func server(request: SIPRequest, localTag: String, state: State = .confirmed) throws(SIPParseError) -> Dialog {
        let from = try request.headers.from()
        var to = try request.headers.to()
        to.parameters.set("tag", localTag)
        let target = try Self.contactURI(request.headers) ?? from.uri
        return Dialog(
            id: DialogID(callID: try request.headers.callID(), localTag: localTag, remoteTag: from.tag ?? ""),
            state: state, localAddress: to, remoteAddress: from, remoteTarget: target,
            routeSet: try request.headers.recordRoutes(), localSequence: 0,
            remoteSequence: try request.headers.cseq().sequence, isServer: true
        )
    }

    /// The UAC side of a dialog created by our `request` and the peer's `response` (§12.1.2).
    public static func client(request: SIPRequest, response: SIPResponse) throws(SIPParseError) -> Dialog {
        let from = try request.headers.from()
        let to = try response.headers.to()
        let target = try Self.contactURI(response.headers) ?? to.uri
        return Dialog(
            id: DialogID(callID: try request.headers.callID(), localTag: from.tag ?? "", remoteTag: to.tag ?? ""),
            state: response.isSuccess ? .confirmed : .early, localAddress: from, remoteAddress: to, remoteTarget: target,
            routeSet: Array(try response.headers.recordRoutes().reversed()),
            localSequence: try request.headers.cseq().sequence, remoteSequence: nil, isServer: false
        )
    }

    static func contactURI(_ headers: SIPHeaders) throws(SIPParseError) -> AnyURI? {
        if case .addresses(let list)? = try headers.contact(), let first = list.first { return first.uri }
        return nil
    }

    /// Checks an incoming in-dialog request's CSeq (§12.2.2): lower than the last one is an error (500);
    /// a target-refresh (re-INVITE, UPDATE) updates the remote target.
    public mutating func receive(_ request: SIPRequest) -> Bool {
        guard let cseq = try? request.headers.cseq() else { return false }
        if request.method != .ack, request.method != .cancel {
            if let last = remoteSequence, cseq.sequence <= last { return false }
            remoteSequence = cseq.sequence
        }
        if request.method == .invite || request.method == .update, let target = try? Self.contactURI(request.headers) {
            remoteTarget = target
        }
        return true
    }

    /// Builds an in-dialog request (§12.2.1.1). ACK and CANCEL reuse the INVITE's CSeq number
    /// (`sequence`); everything else takes the next local sequence number.
    public mutating func makeRequest(_ method: SIPMethod, via: Via, contact: NameAddress?, body: [UInt8] = [],
                                     contentType: String? = nil, sequence: UInt32? = nil) -> SIPRequest {
        let seq: UInt32
        if let sequence {
            seq = sequence
        } else {
            localSequence &+= 1
            seq = localSequence
        }
        var uri = remoteTarget
        var routes = routeSet
        // §12.2.1.1: strict router first in the route set takes the Request-URI slot.
        if let first = routes.first, let firstURI = first.uri.sipURI, !firstURI.isLooseRouter {
            routes.removeFirst()
            routes.append(NameAddress(uri: remoteTarget))
            uri = .sip(firstURI)
        }
        var h = SIPHeaders()
        h.add(.via, via.description)
        h.add(.maxForwards, "70")
        h.add(.from, localAddress.description)
        h.add(.to, remoteAddress.description)
        h.add(.callID, id.callID)
        h.add(.cseq, CSeq(seq, method).description)
        for r in routes { h.add(.route, r.description) }
        if let contact, method == .invite || method == .update || method == .refer || method == .notify || method == .subscribe {
            h.add(.contact, contact.description)
        }
        if let contentType, !body.isEmpty { h.add(.contentType, contentType) }
        return SIPRequest(method: method, uri: uri, headers: h, body: body)
    }
}
