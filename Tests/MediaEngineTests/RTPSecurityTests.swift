import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// The media path under attack (issue 12): RTP bleed, reflection, ports from the wire.
@Suite(.serialized) struct RTPSecurityTests {
    /// Polls `condition` on the leg until it holds (a deadline, not a sleep that orders events).
    func eventually(_ what: String, seconds: Double = 5, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func rtp(sequence: UInt16, ssrc: UInt32, timestamp: UInt32 = 0) -> RTPPacket {
        var payload = ByteBuffer()
        payload.writeRepeatingByte(0xFF, count: 160)
        return RTPPacket(header: RTPHeader(marker: false, payloadType: 0, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc), payload: payload)
    }

    func received(_ leg: MediaLeg) async throws -> UInt32 { try await leg.statistics().packetsReceived }

    @Test("a stranger's RTP neither redirects the call's audio nor reaches it (RTP bleed); it is counted")
    func strangerCannotTakeTheStream() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let attacker = try await RTPTestPeer.start(host: "127.0.0.2")
        let (leg, _) = try await engine.answer(offer: phone.offer())
        for sequence in UInt16(1)...3 { phone.send(rtp(sequence: sequence, ssrc: 7), to: leg.localPort) }
        try await eventually("the phone's packets") { try await received(leg) == 3 }
        // Inside the latch window, with the phone's own SSRC and the next sequence numbers.
        for sequence in UInt16(4)...8 { attacker.send(rtp(sequence: sequence, ssrc: 7), to: leg.localPort) }
        try await eventually("the stranger's packets counted") { try await leg.foreignPacketCount() == 5 }
        #expect(try await received(leg) == 3)
        #expect(try await leg.remoteAddress()?.port == phone.port)
        #expect(try await leg.remoteAddress()?.ipAddress == "127.0.0.1")
        try await leg.play([.silence(durationMs: 100)])
        try await phone.waitForPackets(5)
        #expect(attacker.packets.isEmpty)
        await leg.close()
        await phone.close()
        await attacker.close()
    }

    @Test("outside the latch window a new source is ignored, even from the phone's own address; inside it the stream follows (NAT rebinding)")
    func newSourcesOnlyWithinTheWindow() async throws {
        for window in [TimeAmount.zero, .seconds(30)] {
            let engine = makeEngine { $0.latchWindow = window }
            let phone = try await RTPTestPeer.start()
            let rebound = try await RTPTestPeer.start()  // same address, another port
            let (leg, _) = try await engine.answer(offer: phone.offer())
            phone.send(rtp(sequence: 1, ssrc: 7), to: leg.localPort)  // the first consistent source latches at any time
            try await eventually("the phone's packet") { try await received(leg) == 1 }
            for sequence in UInt16(2)...4 { rebound.send(rtp(sequence: sequence, ssrc: 7), to: leg.localPort) }
            if window == .zero {
                try await eventually("the new source's packets counted") { try await leg.foreignPacketCount() == 3 }
                #expect(try await leg.remoteAddress()?.port == phone.port)
                #expect(try await received(leg) == 1)
            } else {
                try await eventually("the new source's packets") { try await received(leg) == 4 }
                #expect(try await leg.remoteAddress()?.port == rebound.port)
                #expect(try await leg.foreignPacketCount() == 0)
            }
            await leg.close()
            await phone.close()
            await rebound.close()
        }
    }

    @Test("a re-INVITE that moves the SDP address is followed at once, even with the latch window closed")
    func renegotiationMovesTheStream() async throws {
        let engine = makeEngine { $0.latchWindow = .zero }
        let phone = try await RTPTestPeer.start()
        let moved = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        phone.send(rtp(sequence: 1, ssrc: 7), to: leg.localPort)
        try await eventually("the phone's packet") { try await received(leg) == 1 }
        // The phone moves its media to another port and says so: the SDP address wins at once.
        _ = try await leg.update(offer: moved.offer())
        #expect(try await leg.remoteAddress()?.port == moved.port)
        moved.send(rtp(sequence: 2, ssrc: 8), to: leg.localPort)
        try await eventually("the moved stream") { try await received(leg) == 2 }
        #expect(try await leg.foreignPacketCount() == 0)
        await leg.close()
        await phone.close()
        await moved.close()
    }

    @Test("outside the window a new SSRC from the latched source is followed only after 4 packets in sequence")
    func newSSRCIsOnProbation() async throws {
        let engine = makeEngine { $0.latchWindow = .zero }
        let phone = try await RTPTestPeer.start()
        let (leg, _) = try await engine.answer(offer: phone.offer())
        phone.send(rtp(sequence: 1, ssrc: 7), to: leg.localPort)
        try await eventually("the phone's packet") { try await received(leg) == 1 }
        // Blind guesses: new SSRCs, never two in sequence.
        for (sequence, ssrc) in [(UInt16(50), UInt32(1)), (60, 2), (70, 3)] { phone.send(rtp(sequence: sequence, ssrc: ssrc), to: leg.localPort) }
        try await eventually("guesses counted") { try await leg.foreignPacketCount() == 3 }
        // A real restart: one SSRC, consecutive sequence numbers.
        for sequence in UInt16(200)...203 { phone.send(rtp(sequence: sequence, ssrc: 9), to: leg.localPort) }
        try await eventually("the new SSRC followed") { try await received(leg) == 2 }
        #expect(try await leg.foreignPacketCount() == 6)
        phone.send(rtp(sequence: 204, ssrc: 9), to: leg.localPort)
        try await eventually("the new SSRC's next packet") { try await received(leg) == 3 }
        await leg.close()
        await phone.close()
    }

    @Test("an answered leg held until confirmed sends nothing — no prompt, no RTCP — until the ACK, then the whole prompt from its start")
    func noMediaBeforeConfirmation() async throws {
        let engine = makeEngine { $0.rtcpInterval = .milliseconds(100) }
        let victim = try await RTPTestPeer.start()  // the address a forged SDP names
        let (leg, _) = try await engine.answer(offer: victim.offer(), holdMediaUntilConfirmed: true)
        try await leg.play([.audio(PromptAudio(samples: toneSamples(1000, ms: 200)))])
        // Absence cannot be signalled: watch for well over the RTCP interval and ten frames.
        try await Task.sleep(for: .milliseconds(400))
        #expect(victim.packets.isEmpty && victim.rtcpReports.isEmpty)
        #expect(try await leg.statistics().packetsSent == 0)
        await leg.confirm()
        let packets = try await victim.waitForPackets(10)
        #expect(packets.count == 10)
        let audio = victim.audio()
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(Array(audio[0..<1600])) - 1000) < 1)
        await leg.close()
        await victim.close()
    }

    @Test("the caller's first valid RTP opens a held leg too; a stranger's does not")
    func firstPeerPacketOpensTheLeg() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let stranger = try await RTPTestPeer.start(host: "127.0.0.2")
        let (leg, _) = try await engine.answer(offer: phone.offer(), holdMediaUntilConfirmed: true)
        try await leg.play([.silence(durationMs: 100)])
        stranger.send(rtp(sequence: 1, ssrc: 3), to: leg.localPort)
        try await eventually("the stranger's packet counted") { try await leg.foreignPacketCount() == 1 }
        #expect(try await leg.statistics().packetsSent == 0)
        phone.send(rtp(sequence: 1, ssrc: 7), to: leg.localPort)
        try await phone.waitForPackets(5)
        #expect(stranger.packets.isEmpty)
        await leg.close()
        await phone.close()
        await stranger.close()
    }

    @Test("an offer for port 65535 is refused (488) without a=rtcp and answered with it, instead of trapping the process")
    func highestPortDoesNotTrap() async throws {
        let engine = makeEngine()
        var offer = OfferAnswer(profile: LocalMediaProfile(address: "127.0.0.1"))
            .makeOffer(origin: Origin(sessionID: 1, sessionVersion: 1, address: "127.0.0.1"), port: 65535)
        await #expect(throws: SDPNegotiationError.self) { try await engine.answer(offer: offer) }
        offer.media[0].attributes.append(SDPAttribute("rtcp", "40001"))
        let (leg, _) = try await engine.answer(offer: offer)
        #expect(try await leg.remoteAddress()?.port == 65535)
        try await leg.play([.silence(durationMs: 40)])
        await leg.close()
    }

    @Test("an offer whose c= is multicast or broadcast is refused: media goes to one peer, never to a group")
    func groupAddressesAreRefused() async throws {
        let engine = makeEngine()
        for address in ["239.1.2.3", "224.0.0.1", "255.255.255.255", "ff02::1"] {
            let type = address.contains(":") ? "IP6" : "IP4"
            let offer = OfferAnswer(profile: LocalMediaProfile(address: address, addressType: type))
                .makeOffer(origin: Origin(sessionID: 1, sessionVersion: 1, addressType: type, address: address), port: 40000)
            await #expect(throws: MediaEngineError.invalidRemoteAddress, "\(address)") { try await engine.answer(offer: offer) }
        }
        #expect(engine.activeLegCount == 0)
    }

    @Test("a short packet claiming 15 CSRCs, relayed across codecs (PCMU to PCMA), is dropped instead of trapping")
    func shortPacketWithManyCSRCsDoesNotTrap() async throws {
        let engine = makeEngine { $0.kernelRelay = false }
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (a, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (b, _) = try await engine.answer(offer: agent.offer(codecs: [.pcma]), colocatedWith: a)
        _ = try await engine.bridge(a, b)
        var bogus = ByteBuffer()
        bogus.writeInteger(UInt8(0x8F))  // version 2, CC = 15, and no CSRCs or payload follow
        bogus.writeInteger(UInt8(0))
        bogus.writeInteger(UInt16(1))
        bogus.writeInteger(UInt32(160))
        bogus.writeInteger(UInt32(7))
        caller.channel.writeAndFlush(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: a.localPort), data: bogus), promise: nil)
        // Then a real packet of the same stream gets through: the loop is alive.
        caller.send(rtp(sequence: 2, ssrc: 7, timestamp: 320), to: a.localPort)
        try await agent.waitForPackets(1)
        #expect(agent.packets.allSatisfy { $0.header.payloadType == 8 })
        for leg in [a, b] { await leg.close() }
        for peer in [caller, agent] { await peer.close() }
    }
}
