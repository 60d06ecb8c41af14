import Testing
import SIPMessage
@testable import SIPTransaction

@Suite("server transactions (RFC 3261 §17.2, RFC 6026)")
struct ServerTransactionTests {
    func newInvite(_ d: inout ManualTimerDriver, _ invite: SIPRequest = request(.invite)) throws -> TransactionKey {
        d.handle(d.layer.receive(invite, reliable: false))
        guard case .request(_, let key)? = d.delivered.last else { throw TestFailure() }
        return key
    }

    struct TestFailure: Error {}

    @Test func hundredTryingAfter200msOnlyIfTheTUIsSilent() throws {
        var d = ManualTimerDriver()
        _ = try newInvite(&d)
        d.advance(by: .milliseconds(199))
        #expect(d.sent.isEmpty)
        d.advance(by: .milliseconds(1))
        #expect(d.sent.map { $0.message.response?.statusCode } == [100])
        #expect(try d.sent[0].message.response?.headers.to().tag == nil)

        var quick = ManualTimerDriver()
        let key = try newInvite(&quick)
        quick.handle(quick.layer.respond(response(180, to: request(.invite)), to: key))
        quick.advance(by: .seconds(1))
        #expect(quick.sent.map { $0.message.response?.statusCode } == [180])
    }

    @Test func retransmittedInviteGetsTheLastResponse() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let key = try newInvite(&d, invite)
        d.handle(d.layer.respond(response(180, to: invite), to: key))
        d.handle(d.layer.receive(invite, reliable: false))
        #expect(d.sent.map { $0.message.response?.statusCode } == [180, 180])
        #expect(d.delivered.count == 1) // the TU saw the INVITE once
    }

    @Test func non2xxIsRetransmittedWithTimerGUntilAck() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let key = try newInvite(&d, invite)
        d.handle(d.layer.respond(response(486, to: invite), to: key))
        d.advance(by: .milliseconds(7600))
        #expect(d.sent.map(\.at) == [0, 500, 1500, 3500, 7500].map { Duration.milliseconds($0) })
        d.handle(d.layer.receive(request(.ack, toTag: "t1"), reliable: false))
        #expect(d.pendingTimers == [.i])
        d.advance(by: .seconds(5))
        #expect(d.delivered.last == .terminated(key))
        #expect(d.sent.count == 5)
    }

    @Test func timerHEndsATransactionWhoseAckNeverCame() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let key = try newInvite(&d, invite)
        d.handle(d.layer.respond(response(603, to: invite), to: key))
        d.advance(by: .seconds(33))
        #expect(d.delivered.suffix(2) == [.timedOut(key), .terminated(key)])
    }

    @Test func acceptedAbsorbsInviteRetransmissionsAndPassesAckUp() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let key = try newInvite(&d, invite)
        let ok = response(200, to: invite)
        d.handle(d.layer.respond(ok, to: key))
        d.handle(d.layer.receive(invite, reliable: false))
        #expect(d.sent.count == 1)
        // The TU retransmits its 2xx through the transaction while Accepted (RFC 6026 §8.5).
        d.handle(d.layer.respond(ok, to: key))
        #expect(d.sent.count == 2)
        let ack = request(.ack, branch: "z9hG4bK-ack", toTag: "t1")
        #expect(d.layer.receive(ack, reliable: false) == [.ackWithoutTransaction(ack)])
        d.advance(by: .seconds(32))
        #expect(d.delivered.last == .terminated(key))
    }

    @Test func nonInviteAbsorbsThenRepeatsTheFinalResponseUntilTimerJ() throws {
        var d = ManualTimerDriver()
        let options = request(.options)
        d.handle(d.layer.receive(options, reliable: false))
        guard case .request(_, let key)? = d.delivered.last else { Issue.record("no request"); return }
        d.handle(d.layer.receive(options, reliable: false))
        #expect(d.sent.isEmpty)
        d.handle(d.layer.respond(response(200, to: options), to: key))
        d.handle(d.layer.receive(options, reliable: false))
        #expect(d.sent.count == 2)
        d.advance(by: .seconds(32))
        #expect(d.delivered.last == .terminated(key))
        #expect(d.layer.serverCount == 0)
    }

    @Test func cancelMatchesThePendingInvite() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let key = try newInvite(&d, invite)
        d.handle(d.layer.receive(request(.cancel), reliable: false))
        #expect(d.sent.last?.message.response?.statusCode == 200)
        #expect(try d.sent.last?.message.response?.headers.cseq().method == .cancel)
        #expect(d.delivered.last == .cancelled(key))
        d.handle(d.layer.respond(response(487, to: invite), to: key))
        #expect(d.sent.last?.message.response?.statusCode == 487)
    }

    @Test func cancelWithoutInviteGets481() {
        var d = ManualTimerDriver()
        d.handle(d.layer.receive(request(.cancel, branch: "z9hG4bK-none"), reliable: false))
        #expect(d.sent.map { $0.message.response?.statusCode } == [481])
    }

    @Test func mergedRequestGets482() throws {
        var d = ManualTimerDriver()
        _ = try newInvite(&d)
        d.handle(d.layer.receive(request(.invite, branch: "z9hG4bK-forked"), reliable: false))
        #expect(d.sent.map { $0.message.response?.statusCode } == [482])
        #expect(d.delivered.count == 1)
    }

    @Test func rfc2543RequestsMatchWithoutMagicCookie() throws {
        var d = ManualTimerDriver()
        let old = request(.invite, branch: "390skdjuw")
        let key = try newInvite(&d, old)
        d.handle(d.layer.respond(response(404, to: old), to: key))
        d.handle(d.layer.receive(old, reliable: false))
        #expect(d.sent.count == 2)
        var ack = request(.ack, branch: "390skdjuw", toTag: "t1")
        ack.uri = old.uri
        d.handle(d.layer.receive(ack, reliable: false))
        #expect(d.pendingTimers == [.i])
    }
}
