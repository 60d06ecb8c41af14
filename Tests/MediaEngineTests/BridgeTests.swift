import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// Real UDP on loopback: test peers ⇄ engine legs ⇄ bridge.
@Suite(.serialized) struct BridgeTests {
    @Test func oneKilohertzToneCrossesTheBridgeAtTheSameFrequencyAndLevel() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        // The agent's phone only speaks A-law: the bridge transcodes.
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, answerB) = try await engine.answer(offer: agent.offer(codecs: [.pcma]), colocatedWith: legA)
        #expect(answerB.media[0].formats.first == "8")
        _ = try await engine.bridge(legA, legB)

        try await caller.stream(toneSamples(1000, ms: 1000, dBm0: -10), to: legA.localPort)
        let received = try await agent.waitForPackets(50)
        let audio = agent.audio(payloadType: 8)
        #expect(audio.count == 50 * 160)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(audio) - 1000) < 1)
        #expect(abs(SignalMeasurement.rmsDBm0(audio) - (-10)) < 0.3)
        // Our stream towards the agent: one SSRC, consecutive sequence numbers and timestamps, marker on the first.
        #expect(Set(received.map(\.header.ssrc)).count == 1)
        #expect(zip(received, received.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        #expect(zip(received, received.dropFirst()).allSatisfy { $1.header.timestamp == $0.header.timestamp &+ 160 })
        #expect(received.first?.header.marker == true)
        #expect(received.dropFirst().allSatisfy { !$0.header.marker })
        let stats = try await legA.statistics()
        #expect(stats.packetsReceived == 50)
        #expect(stats.packetsLost == 0)
        #expect(stats.mos > 4.0)
        await legA.close()
        await legB.close()
        await caller.close()
        await agent.close()
    }

    @Test func holdSwitchesTheFarSideToMusicAndBack() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer())
        let (legB, _) = try await engine.answer(offer: agent.offer(), colocatedWith: legA)
        let bridge = try await engine.bridge(legA, legB)
        // The agent talks (1 kHz) for 3 s; the caller is put on hold with 450 Hz "music", then resumed.
        let talking = Task { try await agent.stream(toneSamples(1000, ms: 3000), to: legB.localPort) }
        let candidates: [Double] = [450, 1000]
        @Sendable func frequencies(_ packets: [RTPPacket]) -> [Double?] {
            packets.map { dominant(AudioEncoding.ulaw.decode(Array($0.payload.readableBytesView)), among: candidates) }
        }
        try await caller.wait(for: "agent's voice") { p, _ in p.count >= 10 }
        let music = PromptAudio(samples: toneSamples(450, ms: 400))
        try await bridge.hold(legA, music: [.audio(music)])
        try await caller.wait(for: "music") { p, _ in frequencies(p).suffix(10).allSatisfy { $0 == 450 } }
        let holdCount = caller.packets.count
        try await bridge.resume(legA)
        try await caller.wait(for: "voice again") { p, _ in p.count > holdCount && frequencies(p).suffix(10).allSatisfy { $0 == 1000 } }
        try await talking.value

        let packets = caller.packets
        let heard = frequencies(packets).compactMap { $0 }
        // Voice, then music (looped), then voice: exactly two switches.
        let switches = zip(heard, heard.dropFirst()).filter { $0 != $1 }.count
        #expect(switches == 2)
        // The agent never heard the caller while on hold and the caller's stream stayed continuous.
        #expect(Set(packets.map(\.header.ssrc)).count == 1)
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        #expect(zip(packets, packets.dropFirst()).allSatisfy { Int32(bitPattern: $1.header.timestamp &- $0.header.timestamp) > 0 })
        #expect(packets.filter(\.header.marker).count == 3)  // first packet and the two source changes
        await legA.close()
        await legB.close()
        await caller.close()
        await agent.close()
    }

    @Test func symmetricRTPSendsWhereThePacketsComeFrom() async throws {
        let engine = makeEngine()
        let advertised = try await RTPTestPeer.start()  // the SDP says this port...
        let actual = try await RTPTestPeer.start()      // ...but the phone sends from here (NAT)
        let other = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: advertised.offer())
        let (legB, _) = try await engine.answer(offer: other.offer(), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        try await actual.stream(toneSamples(1000, ms: 100), to: legA.localPort)
        try await other.stream(toneSamples(600, ms: 200), to: legB.localPort)
        try await actual.waitForPackets(10)
        #expect(advertised.packets.isEmpty)
        #expect(try await legA.remoteAddress()?.port == actual.port)
        for peer in [advertised, actual, other] { await peer.close() }
        await legA.close()
        await legB.close()
    }

    @Test func telephoneEventsCrossTheBridgeRetyped() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer())
        // The agent's phone uses payload type 96 for telephone-event.
        var agentOffer = agent.offer()
        agentOffer.media[0].formats = ["0", "96"]
        agentOffer.media[0].attributes = [SDPAttribute("rtpmap", "0 PCMU/8000"), SDPAttribute("rtpmap", "96 telephone-event/8000")]
        let (legB, _) = try await engine.answer(offer: agentOffer, colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        let packets = TelephoneEventSender.packets(for: DTMFDigit("4")!, durationMs: 60)
        for (i, p) in packets.enumerated() {
            var payload = ByteBuffer()
            payload.writeBytes(p.event.bytes)
            caller.send(RTPPacket(header: RTPHeader(marker: p.marker, payloadType: 101, sequenceNumber: UInt16(i), timestamp: 800, ssrc: 9), payload: payload), to: legA.localPort)
        }
        let received = try await agent.waitForPackets(packets.count)
        #expect(received.allSatisfy { $0.header.payloadType == 96 })
        #expect(Set(received.map(\.header.timestamp)).count == 1)
        var receiver = TelephoneEventReceiver()
        let events = received.flatMap { receiver.receive(TelephoneEvent(bytes: Array($0.payload.readableBytesView))!, timestamp: $0.header.timestamp) }
        #expect(events.count == 2)
        // The engine also reported the key on the caller's leg.
        for await event in legA.events {
            #expect(event == .dtmf(DTMFDigit("4")!, source: .rfc4733))
            break
        }
        for leg in [legA, legB] { await leg.close() }
        for peer in [caller, agent] { await peer.close() }
    }

    @Test func unsupportedOfferFailsBeforeOpeningASocket() async throws {
        let engine = makeEngine()
        let offer = try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n")
        await #expect(throws: SDPNegotiationError.noCommonCodec) { try await engine.answer(offer: offer) }
    }
}
