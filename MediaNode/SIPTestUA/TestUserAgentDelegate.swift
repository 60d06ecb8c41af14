import SIPMessage
import SIPUserAgent
import Synchronization

/// SDP session version: RFC 3264 §8 needs a higher o= version whenever an answer changes.
let sdpVersion = Atomic<Int>(1)

/// Answers every call with a fixed G.711 SDP and mirrors hold/resume direction in re-INVITE
/// answers. It reads direction attributes only; real offer/answer is the SDP target's job.
struct TestUserAgentDelegate: SIPUserAgentDelegate {
    let host: String
    let ring: Bool
    let reject: Int?
    let onEnded: @Sendable (SIPCall, SIPCallEndReason) -> Void

    func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision {
        if let reject { return .reject(status: reject) }
        return .answer(Self.sdp(host: host, direction: "sendrecv"), ringFirst: ring)
    }

    func sessionModified(_ call: SIPCall, offer: SessionBody?) async -> SessionBody? {
        let text = String(decoding: offer?.bytes ?? [], as: UTF8.self)
        let direction: String
        if text.contains("a=sendonly") { direction = "recvonly" }
        else if text.contains("a=inactive") { direction = "inactive" }
        else if text.contains("a=recvonly") { direction = "sendonly" }
        else { direction = "sendrecv" }
        return Self.sdp(host: host, direction: direction)
    }

    func refer(_ call: SIPCall, to target: NameAddress) async -> Bool { true }

    func callEnded(_ call: SIPCall, reason: SIPCallEndReason) async { onEnded(call, reason) }

    static func sdp(host: String, direction: String, port: Int = 40000) -> SessionBody {
        SessionBody(sdp: """
        v=0\r
        o=- 1 \(sdpVersion.add(1, ordering: .relaxed).newValue) IN IP4 \(host)\r
        s=sip-test-ua\r
        c=IN IP4 \(host)\r
        t=0 0\r
        m=audio \(port) RTP/AVP 0 8 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=\(direction)\r

        """)
    }
}
