import Testing
@testable import SDP

@Suite struct OfferAnswerTests {
    let negotiator = OfferAnswer(profile: LocalMediaProfile(address: "203.0.113.5"))
    let origin = Origin(sessionID: 42, sessionVersion: 1, address: "203.0.113.5")

    func offer(_ body: String, session: String = "c=IN IP4 192.0.2.1\r\n") throws -> SessionDescription {
        try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n\(session)t=0 0\r\n\(body)")
    }

    @Test func answersPJSIPOfferWithOurPreferredCodecAndTelephoneEvent() throws {
        let offer = try SessionDescription(parsing: pjsipOffer)
        let (answer, audio) = try negotiator.answer(to: offer, origin: origin, port: 30000)
        #expect(audio.codec == .pcmu)
        #expect(audio.payloadType == 0)
        #expect(audio.telephoneEventPayloadType == 101)
        #expect(audio.remoteAddress == "192.0.2.10")
        #expect(audio.remotePort == 4000)
        #expect(audio.direction == .sendrecv)
        #expect(answer.media.count == 1)
        #expect(answer.media[0].formats == ["0", "101"])
        #expect(answer.media[0].port == 30000)
        #expect(answer.connection?.address == "203.0.113.5")
        #expect(answer.serialized.contains("a=fmtp:101 0-16\r\n"))
        // The answer is itself valid SDP that our parser reads back identically.
        #expect(try SessionDescription(parsing: answer.serialized) == answer)
    }

    @Test func offererOrderWinsWhenConfigured() throws {
        var profile = negotiator.profile
        profile.preferOwnCodecOrder = false
        let (_, audio) = try OfferAnswer(profile: profile).answer(
            to: SessionDescription(parsing: pjsipOffer), origin: origin, port: 30000)
        #expect(audio.codec == .pcma)
        let alawFirst = OfferAnswer(profile: LocalMediaProfile(address: "203.0.113.5", codecs: [.pcma, .pcmu]))
        let (_, audio2) = try alawFirst.answer(to: SessionDescription(parsing: pjsipOffer), origin: origin, port: 1)
        #expect(audio2.codec == .pcma)
    }

    @Test func dynamicPayloadTypeForPCMUAndTelephoneEventAreEchoed() throws {
        let o = try offer("m=audio 5000 RTP/AVP 97 98\r\na=rtpmap:97 pcmu/8000\r\na=rtpmap:98 telephone-event/8000\r\n")
        let (answer, audio) = try negotiator.answer(to: o, origin: origin, port: 2)
        #expect(audio.payloadType == 97)
        #expect(audio.telephoneEventPayloadType == 98)
        #expect(answer.media[0].formats == ["97", "98"])
    }

    @Test func mediaLevelConnectionOverridesSessionLevel() throws {
        let o = try offer("m=audio 5000 RTP/AVP 0\r\nc=IN IP4 10.1.1.1\r\n")
        #expect(try negotiator.answer(to: o, origin: origin, port: 2).audio.remoteAddress == "10.1.1.1")
        let o2 = try offer("m=audio 5000 RTP/AVP 0\r\n")
        #expect(try negotiator.answer(to: o2, origin: origin, port: 2).audio.remoteAddress == "192.0.2.1")
    }

    @Test func rejectsExtraStreamsWithPortZeroAndKeepsOrder() throws {
        let o = try offer(
            "m=video 6000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\nm=audio 5000 RTP/AVP 0\r\nm=audio 5002 RTP/AVP 8\r\n")
        let (answer, audio) = try negotiator.answer(to: o, origin: origin, port: 7000)
        #expect(answer.media.map(\.port) == [0, 7000, 0])
        #expect(answer.media.map(\.media) == ["video", "audio", "audio"])
        #expect(answer.media[0].formats == ["96"])
        #expect(audio.remotePort == 5000)
    }

    @Test func skipsSRTPStreamAndAcceptsPlainOne() throws {
        let o = try offer("m=audio 5000 RTP/SAVP 0\r\nm=audio 5002 RTP/AVP 0 8\r\n")
        let (answer, audio) = try negotiator.answer(to: o, origin: origin, port: 7000)
        #expect(answer.media.map(\.port) == [0, 7000])
        #expect(audio.remotePort == 5002)
    }

    @Test(arguments: [
        ("m=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n", SDPNegotiationError.noCommonCodec),
        ("m=audio 5000 RTP/SAVP 0\r\n", .unsupportedTransport("RTP/SAVP")),
        ("m=audio 0 RTP/AVP 0\r\n", .noAudioStream),
        ("m=video 5000 RTP/AVP 96\r\n", .noAudioStream),
    ])
    func unsupportedOffersFailWithTypedError(body: String, expected: SDPNegotiationError) throws {
        let o = try offer(body)
        #expect(throws: expected) { try negotiator.answer(to: o, origin: origin, port: 1) }
    }

    @Test func missingConnectionIsAnError() throws {
        let o = try offer("m=audio 5000 RTP/AVP 0\r\n", session: "")
        #expect(throws: SDPNegotiationError.missingConnection) { try negotiator.answer(to: o, origin: origin, port: 1) }
    }

    @Test(arguments: [
        (MediaDirection.sendonly, MediaDirection.sendrecv, MediaDirection.recvonly),
        (.recvonly, .sendrecv, .sendonly),
        (.inactive, .sendrecv, .inactive),
        (.sendrecv, .sendrecv, .sendrecv),
        (.sendrecv, .sendonly, .sendonly),  // we hold the peer
        (.sendonly, .sendonly, .inactive),
    ])
    func holdDirectionsFollowRFC3264(offered: MediaDirection, wanted: MediaDirection, expected: MediaDirection) throws {
        let o = try offer("m=audio 5000 RTP/AVP 0\r\na=\(offered.rawValue)\r\n")
        let (answer, audio) = try negotiator.answer(to: o, origin: origin, port: 1, direction: wanted)
        #expect(audio.direction == expected)
        #expect(answer.media[0].direction == expected)
    }

    @Test func sessionLevelDirectionAndNullAddressHold() throws {
        let o = try offer("m=audio 5000 RTP/AVP 0\r\n", session: "c=IN IP4 0.0.0.0\r\na=sendonly\r\n")
        let (_, audio) = try negotiator.answer(to: o, origin: origin, port: 1)
        #expect(audio.remoteAddress == nil)
        #expect(audio.direction == .recvonly)
    }

    @Test func offerThenAnswerRoundTrip() throws {
        let ourOffer = negotiator.makeOffer(origin: origin, port: 8000)
        #expect(ourOffer.media[0].formats == ["0", "8", "101"])
        #expect(ourOffer.media[0].ptime == 20)
        // The peer runs the same negotiator with other preferences and answers.
        let peer = OfferAnswer(profile: LocalMediaProfile(address: "192.0.2.9", codecs: [.pcma]))
        let (answer, peerAudio) = try peer.answer(
            to: SessionDescription(parsing: ourOffer.serialized),
            origin: Origin(sessionID: 7, sessionVersion: 1, address: "192.0.2.9"), port: 9000)
        #expect(peerAudio.remotePort == 8000)
        let ours = try negotiator.accept(answer: SessionDescription(parsing: answer.serialized), to: ourOffer)
        #expect(ours.codec == .pcma)
        #expect(ours.payloadType == 8)
        #expect(ours.telephoneEventPayloadType == 101)
        #expect(ours.remoteAddress == "192.0.2.9")
        #expect(ours.remotePort == 9000)
        #expect(ours.direction == .sendrecv)
    }

    @Test func holdOfferAndRejectedAnswer() throws {
        let hold = negotiator.makeOffer(origin: origin, port: 8000, direction: .sendonly)
        #expect(hold.media[0].direction == .sendonly)
        let peer = OfferAnswer(profile: LocalMediaProfile(address: "192.0.2.9"))
        let (answer, peerAudio) = try peer.answer(to: hold, origin: origin, port: 9000)
        #expect(peerAudio.direction == .recvonly)
        #expect(try negotiator.accept(answer: answer, to: hold).direction == .sendonly)

        var rejected = answer
        rejected.media[0].port = 0
        #expect(throws: SDPNegotiationError.streamRejected) { try negotiator.accept(answer: rejected, to: hold) }
        rejected.media.append(rejected.media[0])
        #expect(throws: SDPNegotiationError.self) { try negotiator.accept(answer: rejected, to: hold) }
    }
}
