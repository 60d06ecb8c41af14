import Testing
import SIPMessage
@testable import SIPDialog

/// RFC 4028 from the UAC side (issue 14): a 2xx's Session-Expires decides who refreshes, and a
/// hostile interval cannot make the node refresh in a loop.
@Suite("session timer from a 2xx (RFC 4028 §7.2)", .tags(.unit))
struct SessionTimerResponseTests {
    static func ok(_ sessionExpires: String?) -> SIPResponse {
        var h = SIPHeaders()
        h.add(.via, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1")
        h.add(.from, "<sip:a@example.com>;tag=1")
        h.add(.to, "<sip:b@example.com>;tag=2")
        h.add(.callID, "c1")
        h.add(.cseq, "1 INVITE")
        if let sessionExpires { h.add(.sessionExpires, sessionExpires) }
        return SIPResponse(statusCode: 200, reasonPhrase: "OK", headers: h)
    }

    @Test("refresher=uac in the 2xx: we (the UAC) refresh at half the interval")
    func weRefresh() throws {
        let s = try #require(SessionTimer.fromResponse(Self.ok("90;refresher=uac")))
        #expect(s.interval == 90 && s.weRefresh && s.refresher == .uac)
        #expect(s.refreshAfter == .seconds(45))
        #expect(s.refreshRequestHeaderValue == "90;refresher=uac")
    }

    @Test("refresher=uas, or none named: the peer refreshes and we watch for expiry")
    func peerRefreshes() throws {
        let uas = try #require(SessionTimer.fromResponse(Self.ok("1800 ; refresher=uas")))
        #expect(!uas.weRefresh && uas.interval == 1800)
        #expect(uas.expireAfter == .seconds(1768))
        #expect(SessionTimer.fromResponse(Self.ok("600"))?.weRefresh == false)
    }

    @Test("no header, an unreadable one, or an interval below Min-SE")
    func hostile() {
        #expect(SessionTimer.fromResponse(Self.ok(nil)) == nil)
        #expect(SessionTimer.fromResponse(Self.ok("soon")) == nil)
        #expect(SessionTimer.fromResponse(Self.ok("99999999999999999999;refresher=uac")) == nil)
        #expect(SessionTimer.fromResponse(Self.ok("-1")) == nil)
        // 0 or 1 s would make us refresh continuously: raised to the 90 s minimum.
        #expect(SessionTimer.fromResponse(Self.ok("0;refresher=uac"))?.interval == 90)
        #expect(SessionTimer.fromResponse(Self.ok("1;refresher=uac"))?.refreshAfter == .seconds(45))
    }
}
