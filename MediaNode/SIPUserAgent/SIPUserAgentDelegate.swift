import SIPDialog
import SIPMessage

/// A message body handed between the SIP layer and the media layer without interpretation
/// (SDP offers/answers, sipfrag, DTMF relay). The SDP target parses it.
public struct SessionBody: Hashable, Sendable {
    public var contentType: String
    public var bytes: [UInt8]

    public init(contentType: String = "application/sdp", bytes: [UInt8]) {
        self.contentType = contentType
        self.bytes = bytes
    }

    public init(sdp: String) { self.init(contentType: "application/sdp", bytes: Array(sdp.utf8)) }
}

/// How the application answers a new INVITE.
public enum SIPCallDecision: Hashable, Sendable {
    /// Answer with this SDP; `ringFirst` sends 180 Ringing before the 200.
    case answer(SessionBody, ringFirst: Bool = true)
    /// Refuse with a final status (486 Busy Here, 480, 603, 404...); `retryAfter` seconds add a
    /// Retry-After header (RFC 3261 §20.33), e.g. to a 503 from a draining or full node.
    case reject(status: Int, retryAfter: Int? = nil)
    /// 302 Moved Temporarily to `contact` (a SIP URI): the call belongs elsewhere (RFC 3261 §21.3.3).
    case redirect(contact: String)
}

/// Why a call ended.
public enum SIPCallEndReason: Hashable, Sendable {
    case remoteHangUp
    case localHangUp
    case cancelled
    case sessionTimerExpired
    /// Our 2xx was never acknowledged (RFC 3261 §13.3.1.4).
    case ackTimeout
    case transportFailure
}

/// The application side of the user agent: the media node implements this. Offers and
/// answers travel as opaque `SessionBody` values; every method runs in its own task.
public protocol SIPUserAgentDelegate: Sendable {
    /// A new INVITE outside any dialog. `call.request` has every header.
    func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision
    /// A re-INVITE or UPDATE in a call (hold, resume, codec change). Return the answer, or nil for 488.
    func sessionModified(_ call: SIPCall, offer: SessionBody?) async -> SessionBody?
    /// INFO in a call (e.g. application/dtmf-relay). Return the status to answer.
    func info(_ call: SIPCall, body: SessionBody?) async -> Int
    /// REFER in a call (RFC 3515). Return true to accept it (202); then report progress with
    /// `SIPCall.notifyReferProgress(status:)`.
    func refer(_ call: SIPCall, to target: NameAddress) async -> Bool
    /// The call is over (BYE either way, CANCEL, session timer, lost ACK).
    func callEnded(_ call: SIPCall, reason: SIPCallEndReason) async
    /// The ACK of our 2xx to an incoming INVITE arrived: the caller is really there.
    func callConfirmed(_ call: SIPCall) async
}

extension SIPUserAgentDelegate {
    public func sessionModified(_ call: SIPCall, offer: SessionBody?) async -> SessionBody? { nil }
    public func info(_ call: SIPCall, body: SessionBody?) async -> Int { 200 }
    public func refer(_ call: SIPCall, to target: NameAddress) async -> Bool { false }
    public func callEnded(_ call: SIPCall, reason: SIPCallEndReason) async {}
    public func callConfirmed(_ call: SIPCall) async {}
}
