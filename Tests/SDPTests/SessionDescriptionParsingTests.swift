import Testing
@testable import SDP

/// An offer shaped like the ones PJSIP 2.x sends (RFC 4566 §5 order, CRLF ends).
let pjsipOffer = """
v=0\r
o=- 3912345678 3912345678 IN IP4 192.0.2.10\r
s=pjmedia\r
b=AS:84\r
t=0 0\r
a=X-nat:0\r
m=audio 4000 RTP/AVP 96 9 8 0 101\r
c=IN IP4 192.0.2.10\r
b=TIAS:64000\r
a=rtcp:4001 IN IP4 192.0.2.10\r
a=sendrecv\r
a=rtpmap:96 opus/48000/2\r
a=fmtp:96 useinbandfec=1\r
a=rtpmap:9 G722/8000\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:101 telephone-event/8000\r
a=fmtp:101 0-16\r
a=ptime:20\r

"""

@Suite struct SessionDescriptionParsingTests {
    @Test func parsesSessionAndMediaLevelFields() throws {
        let sdp = try SessionDescription(parsing: pjsipOffer)
        #expect(sdp.origin.sessionID == 3_912_345_678)
        #expect(sdp.origin.address == "192.0.2.10")
        #expect(sdp.sessionName == "pjmedia")
        #expect(sdp.connection == nil)
        #expect(sdp.otherLines == [SDPLine(type: "b", value: "AS:84")])
        #expect(sdp.media.count == 1)
        let audio = sdp.media[0]
        #expect(audio.port == 4000)
        #expect(audio.payloadTypes == [96, 9, 8, 0, 101])
        #expect(audio.connection?.address == "192.0.2.10")
        #expect(audio.direction == .sendrecv)
        #expect(audio.ptime == 20)
        #expect(audio.rtpMaps[96] == RTPMap(encoding: "opus", clockRate: 48000, channels: 2))
        #expect(audio.rtpMaps[101]?.encoding == "telephone-event")
        #expect(audio.formatParameters(for: 101) == "0-16")
        #expect(audio.otherLines == [SDPLine(type: "b", value: "TIAS:64000")])
    }

    @Test func roundTripsThroughSerialization() throws {
        let sdp = try SessionDescription(parsing: pjsipOffer)
        let text = sdp.serialized
        #expect(text == pjsipOffer)
        #expect(try SessionDescription(parsing: text) == sdp)
    }

    @Test func acceptsBareLineFeedsAndStaticPayloadTypesWithoutRtpmap() throws {
        let text = "v=0\no=alice 1 1 IN IP4 198.51.100.1\ns= \nc=IN IP4 198.51.100.1\nt=0 0\nm=audio 5004 RTP/AVP 0 8\n"
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.connection?.address == "198.51.100.1")
        #expect(sdp.media[0].rtpMaps[0] == RTPMap(encoding: "PCMU", clockRate: 8000))
        #expect(sdp.media[0].rtpMaps[8] == RTPMap(encoding: "PCMA", clockRate: 8000))
        #expect(sdp.effectiveConnection(forMediaAt: 0)?.address == "198.51.100.1")
    }

    @Test(arguments: [
        ("o=- 1 1 IN IP4 a\ns=-\nt=0 0\n", "missing v= line"),
        ("v=0\ns=-\nt=0 0\n", "missing o= line"),
        ("v=0\no=- 1 1 IN IP4 a\nt=0 0\n", "missing s= line"),
        ("v=0\no=- x 1 IN IP4 a\ns=-\n", "o= needs"),
        ("v=0\no=- 1 1 IN IP4 a\ns=-\nm=audio 70000 RTP/AVP 0\n", "m= port"),
        ("v=0\no=- 1 1 IN IP4 a\ns=-\nm=audio 4000 RTP/AVP 0\nt=0 0\n", "not allowed in a media section"),
        ("v=0\nnonsense\n", "expected <type>=<value>"),
    ])
    func rejectsMalformedDescriptions(text: String, detail: String) {
        #expect {
            _ = try SessionDescription(parsing: text)
        } throws: { error in
            (error as? SDPParseError)?.detail.contains(detail) == true
        }
    }

    @Test func parsesPortCountAndAttributesWithoutValues() throws {
        let sdp = try SessionDescription(
            parsing: "v=0\r\no=- 1 2 IN IP6 ::1\r\ns=-\r\nt=0 0\r\na=recvonly\r\nm=audio 49170/2 RTP/AVP 0\r\n")
        #expect(sdp.media[0].portCount == 2)
        #expect(sdp.direction == .recvonly)
        #expect(sdp.attributes == [SDPAttribute("recvonly")])
        #expect(sdp.serialized.contains("m=audio 49170/2 RTP/AVP 0\r\n"))
    }
}
