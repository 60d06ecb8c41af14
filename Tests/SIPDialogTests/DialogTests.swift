import Testing
import SIPMessage
@testable import SIPDialog

private let invite: SIPRequest = {
    var h = SIPHeaders()
    h.add(.via, "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds")
    h.add(.from, "Alice <sip:alice@atlanta.com>;tag=1928301774")
    h.add(.to, "Bob <sip:bob@biloxi.com>")
    h.add(.callID, "a84b4c76e66710")
    h.add(.cseq, "314159 INVITE")
    h.add(.contact, "<sip:alice@pc33.atlanta.com>")
    h.add(.recordRoute, "<sip:p2.biloxi.com;lr>, <sip:p1.atlanta.com;lr>")
    h.add(.supported, "timer")
    h.add(.sessionExpires, "1800")
    return SIPRequest(method: .invite, uri: .sip(SIPURI(user: "bob", host: "biloxi.com")), headers: h)
}()

@Suite("dialogs (RFC 3261 §12) and session timers (RFC 4028)")
struct DialogTests {
    @Test func serverDialogKeepsRecordRouteOrderAndTargetsContact() throws {
        var d = try Dialog.server(request: invite, localTag: "314")
        #expect(d.id == DialogID(callID: "a84b4c76e66710", localTag: "314", remoteTag: "1928301774"))
        #expect(d.routeSet.map { $0.uri.sipURI!.host } == ["p2.biloxi.com", "p1.atlanta.com"])
        let bye = d.makeRequest(.bye, via: Via(transport: "UDP", host: "biloxi.com", branch: "z9hG4bKx"), contact: nil)
        #expect(bye.uri == .sip(SIPURI(user: "alice", host: "pc33.atlanta.com")))
        #expect(bye.headers.values(.route) == ["<sip:p2.biloxi.com;lr>", "<sip:p1.atlanta.com;lr>"])
        #expect(try bye.headers.from().tag == "314")
        #expect(try bye.headers.to().tag == "1928301774")
        #expect(try bye.headers.cseq() == CSeq(1, .bye))
        #expect(d.remoteSequence == 314159)
    }

    @Test func clientDialogReversesRecordRoute() throws {
        var ok = SIPResponse(answering: invite, statusCode: 200, toTag: "b1")
        ok.headers.add(.recordRoute, "<sip:p2.biloxi.com;lr>, <sip:p1.atlanta.com;lr>")
        ok.headers.add(.contact, "<sip:bob@192.0.2.4>")
        var d = try Dialog.client(request: invite, response: ok)
        #expect(d.routeSet.map { $0.uri.sipURI!.host } == ["p1.atlanta.com", "p2.biloxi.com"])
        #expect(d.remoteTarget == .sip(SIPURI(user: "bob", host: "192.0.2.4")))
        let reinvite = d.makeRequest(.invite, via: Via(transport: "UDP", host: "a", branch: "z9hG4bKy"), contact: NameAddress(uri: SIPURI(host: "a")))
        #expect(try reinvite.headers.cseq() == CSeq(314160, .invite))
        let ack = d.makeRequest(.ack, via: Via(transport: "UDP", host: "a", branch: "z9hG4bKz"), contact: nil, sequence: 314160)
        #expect(try ack.headers.cseq() == CSeq(314160, .ack))
    }

    @Test func strictRouterTakesTheRequestURI() throws {
        var h = invite.headers
        h.set(.recordRoute, "<sip:strict.example.com>")
        var d = try Dialog.server(request: SIPRequest(method: .invite, uri: invite.uri, headers: h), localTag: "t")
        let bye = d.makeRequest(.bye, via: Via(transport: "UDP", host: "b", branch: "z9hG4bKq"), contact: nil)
        #expect(bye.uri == .sip(SIPURI(host: "strict.example.com")))
        #expect(bye.headers.values(.route) == ["<sip:alice@pc33.atlanta.com>"])
    }

    @Test func lowerCSeqIsRefusedAndTargetRefreshUpdatesTheTarget() throws {
        var d = try Dialog.server(request: invite, localTag: "t")
        var re = invite
        re.headers.set(.cseq, "314158 INVITE")
        let older = d.receive(re)
        #expect(!older)
        re.headers.set(.cseq, "314160 INVITE")
        re.headers.set(.contact, "<sip:alice@198.51.100.9>")
        let newer = d.receive(re)
        #expect(newer)
        #expect(d.remoteTarget == .sip(SIPURI(user: "alice", host: "198.51.100.9")))
    }

    @Test func sessionTimerNegotiation() {
        guard case .active(let s) = SessionTimer.negotiateAsServer(invite, defaultInterval: nil) else {
            Issue.record("no timer"); return
        }
        #expect(s.interval == 1800)
        #expect(s.refresher == .uac)
        #expect(!s.weRefresh)
        #expect(s.refreshAfter == .seconds(900))
        #expect(s.expireAfter == .seconds(1768))
        var small = invite
        small.headers.set(.sessionExpires, "60")
        #expect(SessionTimer.negotiateAsServer(small, defaultInterval: nil) == .tooSmall(minSE: 90))
        var none = invite
        none.headers.remove(.sessionExpires)
        none.headers.remove(.supported)
        #expect(SessionTimer.negotiateAsServer(none, defaultInterval: nil) == SessionTimer.Negotiation.none)
        guard case .active(let ours) = SessionTimer.negotiateAsServer(none, defaultInterval: 600) else {
            Issue.record("no default timer"); return
        }
        #expect(ours.weRefresh && ours.refresher == .uas)
    }
}
