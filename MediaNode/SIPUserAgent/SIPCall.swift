import SIPDialog
import SIPMessage

/// A handle on one call (one INVITE dialog) of a `SIPUserAgent`. Sendable; every operation is
/// performed by the user agent actor.
public final class SIPCall: Sendable, Hashable, CustomStringConvertible {
    /// The dialog this call lives in (local tag is ours).
    public let id: DialogID
    /// The dialog-creating INVITE (incoming or outgoing).
    public let request: SIPRequest
    /// True if the peer called us.
    public let isIncoming: Bool
    /// Tenant realm (the Request-URI / To domain) the call arrived for.
    public let domain: String
    let userAgent: SIPUserAgent

    init(id: DialogID, request: SIPRequest, isIncoming: Bool, userAgent: SIPUserAgent) {
        self.id = id
        self.request = request
        self.isIncoming = isIncoming
        self.userAgent = userAgent
        self.domain = request.uri.sipURI?.host.lowercased() ?? ""
    }

    /// Ends the call: CANCEL is not needed after answer, so this sends BYE (RFC 3261 §15).
    public func hangUp() async {
        await userAgent.hangUp(id)
    }

    /// Sends a re-INVITE with a new offer (hold: a=sendonly; resume: a=sendrecv) and returns the
    /// peer's answer (RFC 3261 §14.1). Throws `SIPRequestFailure` on a non-2xx.
    public func reinvite(offer: SessionBody) async throws -> SessionBody? {
        try await userAgent.reinvite(id, offer: offer)
    }

    /// Sends INFO with `body` and returns the final status.
    public func sendInfo(_ body: SessionBody) async throws -> Int {
        try await userAgent.sendInDialog(id, method: .info, body: body).statusCode
    }

    /// Sends REFER (RFC 3515) asking the peer to call `target`; returns the final status (202 on acceptance).
    public func refer(to target: SIPURI) async throws -> Int {
        try await userAgent.sendInDialog(id, method: .refer, body: nil, extraHeaders: [SIPHeaderField(name: .referTo, value: "<\(target)>")]).statusCode
    }

    /// After accepting a REFER: tells the referrer how the new call went with a NOTIFY carrying
    /// a message/sipfrag status line (RFC 3515 §2.4.5). Final statuses end the subscription.
    public func notifyReferProgress(status: Int) async throws {
        let body = SessionBody(contentType: "message/sipfrag;version=2.0", bytes: Array("SIP/2.0 \(status) \(SIPResponse.defaultReason(status))\r\n".utf8))
        let state = status >= 200 ? "terminated;reason=noresource" : "active;expires=60"
        _ = try await userAgent.sendInDialog(id, method: .notify, body: body, extraHeaders: [
            SIPHeaderField(name: .event, value: "refer"), SIPHeaderField(name: .subscriptionState, value: state),
        ])
    }

    /// The IP address the peer's signalling uses (where our requests in this call go; for an
    /// incoming call, where the INVITE came from). Nil once the call is over.
    public func peerIPAddress() async -> String? {
        await userAgent.peerIPAddress(id)
    }

    public var description: String { "SIPCall(\(id))" }

    public static func == (a: SIPCall, b: SIPCall) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }
}

/// A request of ours got a non-2xx final response (or none).
public struct SIPRequestFailure: Error, Hashable, Sendable {
    /// The final status (408 for a timeout, 503 for a transport failure, RFC 3261 §8.1.3.1).
    public let statusCode: Int
    public let reasonPhrase: String
}
