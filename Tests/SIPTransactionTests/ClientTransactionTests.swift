import Testing
import SIPMessage
@testable import SIPTransaction

@Suite("client transactions (RFC 3261 §17.1)")
struct ClientTransactionTests {
    @Test func inviteRetransmitsWithTimerAAndTimesOutWithTimerB() throws {
        var d = ManualTimerDriver()
        let (key, events) = try d.layer.send(request(.invite), reliable: false)
        d.handle(events)
        d.advance(by: .seconds(40))
        // Sent at 0 and at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; B fires at 32 s.
        #expect(d.sent.map(\.at) == [0, 500, 1500, 3500, 7500, 15500, 31500].map { Duration.milliseconds($0) })
        #expect(d.delivered == [.timedOut(key), .terminated(key)])
        #expect(d.layer.clientCount == 0)
    }

    @Test func reliableInviteDoesNotRetransmit() throws {
        var d = ManualTimerDriver()
        let (_, events) = try d.layer.send(request(.invite), reliable: true)
        d.handle(events)
        d.advance(by: .seconds(31))
        #expect(d.sent.count == 1)
        #expect(d.pendingTimers == [.b])
    }

    @Test func provisionalStopsRetransmissionAndNon2xxIsAcknowledged() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let (key, events) = try d.layer.send(invite, reliable: false)
        d.handle(events)
        d.handle(d.layer.receive(response(180, to: invite)))
        d.advance(by: .seconds(5))
        #expect(d.sent.count == 1)
        let busy = response(486, to: invite)
        d.handle(d.layer.receive(busy))
        let ack = try #require(d.sent.last?.message.request)
        #expect(ack.method == .ack)
        #expect(try ack.headers.cseq() == CSeq(1, .ack))
        #expect(try ack.headers.to().tag == "t1")
        #expect(ack.headers[.via] == invite.headers[.via])
        #expect(ack.headers[.route] == invite.headers[.route])
        #expect(ack.uri == invite.uri)
        // A retransmitted 486 is absorbed: the ACK is resent, the TU does not see it again.
        d.handle(d.layer.receive(busy))
        #expect(d.sent.filter { $0.message.request?.method == .ack }.count == 2)
        #expect(d.delivered == [.response(response(180, to: invite), key), .response(busy, key)])
        d.advance(by: .seconds(32))
        #expect(d.delivered.last == .terminated(key))
    }

    @Test func twoHundredEntersAcceptedAndRetransmissionsReachTheTU() throws {
        var d = ManualTimerDriver()
        let invite = request(.invite)
        let (key, events) = try d.layer.send(invite, reliable: false)
        d.handle(events)
        let ok = response(200, to: invite)
        d.handle(d.layer.receive(ok))
        d.handle(d.layer.receive(ok))
        #expect(d.delivered == [.response(ok, key), .response(ok, key)])
        #expect(d.sent.count == 1) // the transaction never ACKs a 2xx
        #expect(d.pendingTimers == [.m])
        d.advance(by: .seconds(32))
        #expect(d.delivered.last == .terminated(key))
        // After Timer M a 2xx retransmission is stray: the UAC core re-ACKs it.
        #expect(d.layer.receive(ok) == [.strayResponse(ok)])
    }

    @Test func nonInviteUsesTimerECappedAtT2AndTimerF() throws {
        var d = ManualTimerDriver()
        let (key, events) = try d.layer.send(request(.options), reliable: false)
        d.handle(events)
        d.advance(by: .seconds(33))
        #expect(d.sent.map(\.at) == [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500].map { Duration.milliseconds($0) })
        #expect(d.delivered == [.timedOut(key), .terminated(key)])
    }

    @Test func nonInviteProceedingRetransmitsAtT2ThenCompletesWithTimerK() throws {
        var d = ManualTimerDriver()
        let bye = request(.bye, toTag: "t1")
        let (key, events) = try d.layer.send(bye, reliable: false)
        d.handle(events)
        d.handle(d.layer.receive(response(100, to: bye)))
        d.advance(by: .milliseconds(600))
        d.advance(by: .seconds(4))
        #expect(d.sent.map(\.at) == [0, 500, 4500].map { Duration.milliseconds($0) })
        let ok = response(200, to: bye)
        d.handle(d.layer.receive(ok))
        d.handle(d.layer.receive(ok))
        #expect(d.delivered.filter { if case .response = $0 { true } else { false } }.count == 2) // 100 and one 200
        d.advance(by: .seconds(5))
        #expect(d.delivered.last == .terminated(key))
    }

    @Test func transportErrorTerminates() throws {
        var d = ManualTimerDriver()
        let (key, events) = try d.layer.send(request(.register), reliable: true)
        d.handle(events)
        d.handle(d.layer.transportFailed(key))
        #expect(d.delivered == [.transportError(key), .terminated(key)])
    }
}
