import Testing
@testable import RTPCore

@Suite struct TelephoneEventTests {
    @Test func payloadCodecMatchesRFC4733Layout() {
        // RFC 4733 §2.3: event 5, E=1, volume 10, duration 800.
        let event = TelephoneEvent(event: 5, isEnd: true, volume: 10, duration: 800)
        #expect(event.bytes == [5, 0x8A, 0x03, 0x20])
        #expect(TelephoneEvent(bytes: event.bytes) == event)
        #expect(TelephoneEvent(bytes: [1, 2, 3]) == nil)
    }

    @Test func senderScheduleRoundTripsThroughReceiver() {
        let digit = DTMFDigit("#")!
        let packets = TelephoneEventSender.packets(for: digit, durationMs: 100)
        #expect(packets.first?.marker == true)
        #expect(packets.filter(\.marker).count == 1)
        #expect(packets.filter(\.event.isEnd).count == 3)
        #expect(packets.map(\.event.duration) == [160, 320, 480, 640, 800, 800, 800, 800])
        var receiver = TelephoneEventReceiver()
        let events = packets.flatMap { receiver.receive($0.event, timestamp: 4000) }
        #expect(events == [.began(digit, timestamp: 4000), .ended(digit, duration: 800)])
    }

    @Test func lostStartPacketStillBeginsTheEvent() {
        var receiver = TelephoneEventReceiver()
        let d = DTMFDigit("7")!
        let first = receiver.receive(TelephoneEvent(event: 7, isEnd: false, duration: 480), timestamp: 100)
        #expect(first == [.began(d, timestamp: 100)])
        let end = receiver.receive(TelephoneEvent(event: 7, isEnd: true, duration: 640), timestamp: 100)
        #expect(end == [.ended(d, duration: 640)])
    }

    @Test func lostEndIsClosedByNextEventOrExpiry() {
        var receiver = TelephoneEventReceiver()
        let one = DTMFDigit("1")!
        let two = DTMFDigit("2")!
        _ = receiver.receive(TelephoneEvent(event: 1, isEnd: false, duration: 320), timestamp: 1000)
        let next = receiver.receive(TelephoneEvent(event: 2, isEnd: false, duration: 160), timestamp: 3000)
        #expect(next == [.ended(one, duration: 320), .began(two, timestamp: 3000)])
        let expired = receiver.expire()
        #expect(expired == [.ended(two, duration: 160)])
        let again = receiver.expire()
        #expect(again.isEmpty)
    }

    @Test func duplicatesAndLatePacketsAreSuppressed() {
        var receiver = TelephoneEventReceiver()
        let d = DTMFDigit("9")!
        var events: [DTMFEvent] = []
        // Redundant retransmissions, an end packet seen before a late continuation, then a stale event.
        for (e, end, dur, ts) in [(9, false, 160, 500), (9, false, 160, 500), (9, true, 800, 500), (9, false, 640, 500),
                                  (9, true, 800, 500), (9, true, 800, 500), (3, false, 160, 200)] as [(UInt8, Bool, UInt16, UInt32)] {
            events += receiver.receive(TelephoneEvent(event: e, isEnd: end, duration: dur), timestamp: ts)
        }
        #expect(events == [.began(d, timestamp: 500), .ended(d, duration: 800)])
        // Same digit pressed again later is a new event (new timestamp).
        let later = receiver.receive(TelephoneEvent(event: 9, isEnd: false, duration: 160), timestamp: 9000)
        #expect(later == [.began(d, timestamp: 9000)])
    }

    @Test func nonDigitEventsAreIgnored() {
        var receiver = TelephoneEventReceiver()
        let flash = receiver.receive(TelephoneEvent(event: 16, isEnd: false, duration: 160), timestamp: 1)
        #expect(flash.isEmpty)
        #expect(DTMFDigit("*")?.event == 10)
        #expect(DTMFDigit("d")?.event == 15)
        #expect(DTMFDigit("x") == nil)
    }
}

@Suite struct TelephoneEventPackingTests {
    /// RFC 4733 §2.5.1.5: "1" (ended, 800 units) and "2" (ongoing) packed in one packet.
    @Test func multipleEventsInOnePacketGetConsecutiveTimestamps() {
        let payload = TelephoneEvent(event: 1, isEnd: true, duration: 800).bytes + TelephoneEvent(event: 2, isEnd: false, duration: 320).bytes
        let blocks = TelephoneEvent.blocks(in: payload, timestamp: 10_000)
        #expect(blocks.map(\.timestamp) == [10_000, 10_800])
        var receiver = TelephoneEventReceiver()
        var events: [DTMFEvent] = []
        // The same packet retransmitted twice (redundancy) reports each key once.
        for _ in 0..<2 {
            for (event, ts) in TelephoneEvent.blocks(in: payload, timestamp: 10_000) { events += receiver.receive(event, timestamp: ts) }
        }
        #expect(events == [.began(DTMFDigit("1")!, timestamp: 10_000), .ended(DTMFDigit("1")!, duration: 800), .began(DTMFDigit("2")!, timestamp: 10_800)])
        #expect(TelephoneEvent.blocks(in: [1, 2, 3], timestamp: 0).isEmpty)
    }
}
