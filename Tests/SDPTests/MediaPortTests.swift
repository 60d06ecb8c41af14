import Testing
@testable import SDP

/// Ports and packetization times from the wire (issue 12): an offer with `m=audio 65535` made the
/// engine compute RTCP port 65536 and abort the node; every port a negotiation returns is usable.
@Suite struct MediaPortTests {
    let negotiator = OfferAnswer(profile: LocalMediaProfile(address: "203.0.113.5"))
    let origin = Origin(sessionID: 42, sessionVersion: 1, address: "203.0.113.5")

    func offer(_ media: String) throws -> SessionDescription {
        try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\(media)")
    }

    func negotiationError(_ media: String) throws -> SDPNegotiationError? {
        let o = try offer(media)
        do {
            _ = try negotiator.answer(to: o, origin: origin, port: 30000)
            return nil
        } catch { return error }
    }

    @Test func rtcpPortIsTheNextPortWithoutRTCPAttribute() throws {
        let (_, audio) = try negotiator.answer(to: offer("m=audio 4000 RTP/AVP 0\r\n"), origin: origin, port: 30000)
        #expect(audio.remotePort == 4000)
        #expect(audio.remoteRTCPPort == 4001)
        let (_, top) = try negotiator.answer(to: offer("m=audio 65534 RTP/AVP 0\r\n"), origin: origin, port: 30000)
        #expect(top.remoteRTCPPort == 65535)
    }

    @Test func rtpPort65535WithImplicitRTCPIsRefused() throws {
        let error = try #require(try negotiationError("m=audio 65535 RTP/AVP 0\r\n"))
        #expect(error.detail.contains("65535"))
        #expect(error == .invalidPort("m= port 65535 leaves no port for RTCP; announce it with a=rtcp (RFC 3605)"))
    }

    @Test func rtcpAttributeIsHonoured() throws {
        // RFC 3605 §2.1: the RTCP port need not follow the RTP port; an address is allowed but not followed.
        let (_, audio) = try negotiator.answer(
            to: offer("m=audio 65535 RTP/AVP 0\r\na=rtcp:53020 IN IP4 198.51.100.7\r\n"), origin: origin, port: 30000)
        #expect(audio.remotePort == 65535)
        #expect(audio.remoteRTCPPort == 53020)
        #expect(audio.remoteAddress == "192.0.2.1")
        let (_, pjsip) = try negotiator.answer(to: SessionDescription(parsing: pjsipOffer), origin: origin, port: 30000)
        #expect(pjsip.remoteRTCPPort == 4001)
    }

    @Test(arguments: ["0", "65536", "99999999999999999999", "-1", "+5", "abc", "", " "])
    func unusableRTCPAttributeIsRefused(value: String) throws {
        let error = try #require(try negotiationError("m=audio 4000 RTP/AVP 0\r\na=rtcp:\(value)\r\n"))
        #expect(error.detail.hasPrefix("a=rtcp:"))
    }

    @Test func answerWithPort65535AndNoRTCPAttributeIsRefused() throws {
        let ourOffer = negotiator.makeOffer(origin: origin, port: 8000)
        var answer = try OfferAnswer(profile: LocalMediaProfile(address: "192.0.2.9"))
            .answer(to: ourOffer, origin: origin, port: 9000).answer
        answer.media[0].port = 65535
        #expect(throws: SDPNegotiationError.self) { try negotiator.accept(answer: answer, to: ourOffer) }
        answer.media[0].attributes.append(SDPAttribute("rtcp", "9001"))
        #expect(try negotiator.accept(answer: answer, to: ourOffer).remoteRTCPPort == 9001)
    }

    @Test(arguments: [
        "m=audio / RTP/AVP 0",  // used to trap: "/".split gives no fields and [0] was read
        "m=audio // RTP/AVP 0", "m=audio 4000/ RTP/AVP 0", "m=audio 4000/2/3 RTP/AVP 0", "m=audio 4000/0 RTP/AVP 0",
        "m=audio 4000/-2 RTP/AVP 0", "m=audio +4000 RTP/AVP 0", "m=audio -0 RTP/AVP 0", "m=audio 65536 RTP/AVP 0",
        "m=audio 99999999999999999999 RTP/AVP 0",
    ])
    func malformedMediaPortsAreParseErrors(line: String) throws {
        #expect(throws: SDPParseError.self) { try offer(line + "\r\n") }
    }

    @Test func portCountIsKept() throws {
        let sdp = try offer("m=audio 4000/2 RTP/AVP 0\r\n")
        #expect(sdp.media[0].port == 4000)
        #expect(sdp.media[0].portCount == 2)
    }

    @Test(arguments: [
        ("0", 20), ("-20", 20), ("9", 20), ("201", 20), ("9223372036854775807", 20), ("99999999999999999999", 20),
        ("10", 10), ("30", 30), ("200", 200),
    ])
    func unusablePtimeFallsBackTo20(ptime: String, expected: Int) throws {
        // LegState multiplies ptime by 8 for the frame size and paces packets by it: 0 stalled,
        // Int.max trapped.
        let (_, audio) = try negotiator.answer(to: offer("m=audio 4000 RTP/AVP 0\r\na=ptime:\(ptime)\r\n"), origin: origin, port: 1)
        #expect(audio.remotePtime == expected)
    }
}
