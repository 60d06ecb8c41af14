import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// One leg against a test peer: playback pacing, DTMF both ways, barge-in, liveness, RTCP.
@Suite(.serialized) struct LegTests {
    /// Collects a leg's events until `condition` holds.
    func collect(_ leg: MediaLeg, until condition: @escaping @Sendable ([MediaEvent]) -> Bool) async -> [MediaEvent] {
        var events: [MediaEvent] = []
        for await event in leg.events {
            events.append(event)
            if condition(events) { break }
        }
        return events
    }

    @Test func promptListPlaysWithTwentyMillisecondPacing() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        let prompt = PromptAudio(samples: toneSamples(1000, ms: 500))
        let id = try await leg.play([.audio(prompt), .silence(durationMs: 100), .tone(TonePlan.china.busy, durationMs: 400)])
        let events = await collect(leg) { $0.contains(.playbackFinished(id)) }
        #expect(events == [.playbackFinished(id)])
        let packets = try await phone.waitForPackets(50)
        #expect(packets.count == 50)
        let audio = phone.audio()
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(Array(audio[0..<4000])) - 1000) < 1)
        #expect(audio[4000..<4800].allSatisfy { $0 == 0 })
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(Array(audio[4800..<7600])) - 450) < 1)
        await leg.close()
        await phone.close()
    }

    @Test func pacingIsTwentyMillisecondsOnAverage() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        let start = ContinuousClock.now
        try await leg.play([.silence(durationMs: 1000)])
        _ = await collect(leg) { $0.contains { if case .playbackFinished = $0 { true } else { false } } }
        let elapsed = ContinuousClock.now - start
        try await phone.waitForPackets(50)
        // 50 frames: the first is sent at once, the last 49 × 20 ms later.
        #expect(elapsed >= .milliseconds(975) && elapsed < .milliseconds(1100), "\(elapsed)")
        await leg.close()
        await phone.close()
    }

    @Test func rfc4733DigitsAreReportedOnceAndBargeIn() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        let id = try await leg.play([.audio(PromptAudio(samples: toneSamples(500, ms: 10_000)))])
        // Key "5" with the usual retransmitted end packets, then "#".
        var sequence: UInt16 = 1
        for (digit, ts) in [(DTMFDigit("5")!, UInt32(8000)), (DTMFDigit("#")!, 16000)] {
            for packet in TelephoneEventSender.packets(for: digit, durationMs: 80) {
                var payload = ByteBuffer()
                payload.writeBytes(packet.event.bytes)
                phone.send(RTPPacket(header: RTPHeader(marker: packet.marker, payloadType: 101, sequenceNumber: sequence, timestamp: ts, ssrc: 77), payload: payload), to: leg.localPort)
                sequence &+= 1
            }
        }
        let events = await collect(leg) { $0.filter { if case .dtmfEnded = $0 { true } else { false } }.count == 2 }
        #expect(events == [
            .dtmf(DTMFDigit("5")!, source: .rfc4733), .playbackStopped(id), .dtmfEnded(DTMFDigit("5")!, durationMs: 80),
            .dtmf(DTMFDigit("#")!, source: .rfc4733), .dtmfEnded(DTMFDigit("#")!, durationMs: 80),
        ])
        await leg.close()
        await phone.close()
    }

    @Test func inBandDigitsAreDetectedWhenNoTelephoneEventIsNegotiated() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, answer) = try await engine.answer(offer: phone.offer(telephoneEvent: false))
        #expect(answer.media[0].formats == ["0"])
        var generator = ToneGenerator(tone: Tone(frequencies: [DTMFDigit("8")!.frequencies.low, DTMFDigit("8")!.frequencies.high], levelDBm0: -12))
        let silence = [Int16](repeating: 0, count: 800)
        try await phone.stream(silence + generator.next(800) + silence, to: leg.localPort)
        let events = await collect(leg) { $0.count == 2 }
        #expect(events.first == .dtmf(DTMFDigit("8")!, source: .inBand))
        if case .dtmfEnded(let d, let ms) = events.last { #expect(d == DTMFDigit("8")!); #expect(abs(ms - 100) <= 30) } else { Issue.record("\(events)") }
        await leg.close()
        await phone.close()
    }

    @Test func sendsDTMFAsTelephoneEvents() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        #expect(try await leg.sendDTMF(DTMFDigit("9")!, durationMs: 100))
        let packets = try await phone.waitForPackets(8)
        #expect(packets.allSatisfy { $0.header.payloadType == 101 })
        #expect(Set(packets.map(\.header.timestamp)).count == 1)
        var receiver = TelephoneEventReceiver()
        let events = packets.flatMap { receiver.receive(TelephoneEvent(bytes: Array($0.payload.readableBytesView))!, timestamp: $0.header.timestamp) }
        #expect(events == [.began(DTMFDigit("9")!, timestamp: packets[0].header.timestamp), .ended(DTMFDigit("9")!, duration: 800)])
        await leg.close()
        await phone.close()
    }

    @Test func silentLegIsReportedDead() async throws {
        let engine = makeEngine { $0.inactivityTimeout = .milliseconds(300) }
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        let start = ContinuousClock.now
        let events = await collect(leg) { $0.contains(.inactivityTimeout) }
        #expect(events == [.inactivityTimeout])
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        await leg.close()
        await phone.close()
    }

    @Test func sendsRTCPSenderReportsWithReceptionBlocks() async throws {
        let engine = makeEngine { $0.rtcpInterval = .milliseconds(200) }
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        try await leg.play([.silence(durationMs: 400)])
        try await phone.stream(toneSamples(1000, ms: 400), to: leg.localPort)
        try await phone.wait(for: "an SR with a report block") { _, rtcp in
            rtcp.contains { $0.contains { if case .senderReport(let sr) = $0 { sr.reports.first?.ssrc == 0x5EED } else { false } } }
        }
        let sr = phone.rtcpReports.flatMap { $0 }.compactMap { if case .senderReport(let sr) = $0, !sr.reports.isEmpty { sr } else { nil } }.first!
        #expect(sr.packetCount > 0)
        #expect(sr.reports[0].cumulativeLost == 0)
        #expect(sr.ssrc == phone.packets.first?.header.ssrc)
        await leg.close()
        await phone.close()
    }

    @Test func holdByReInviteStopsSendingAndResumes() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (leg, answer) = try await engine.answer(offer: phone.offer())
        let held = try await leg.update(offer: phone.offer(direction: .sendonly))
        #expect(held.media[0].direction == .recvonly)
        #expect(held.origin.sessionVersion == answer.origin.sessionVersion + 1)
        #expect(try await leg.negotiatedAudio()?.direction == .recvonly)
        try await leg.play([.silence(durationMs: 100)])
        _ = await collect(leg) { $0.count == 1 }
        #expect(phone.packets.isEmpty)  // recvonly: nothing sent while held
        _ = try await leg.update(offer: phone.offer(direction: .sendrecv))
        try await leg.play([.silence(durationMs: 100)])
        try await phone.waitForPackets(5)
        await leg.close()
        await phone.close()
    }
}
