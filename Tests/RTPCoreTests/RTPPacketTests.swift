import Testing
import NIOCore
@testable import RTPCore

@Suite struct RTPPacketTests {
    @Test func decodesGoldenPacketAndEncodesItBack() throws {
        // V=2, M=1, PT=0, seq=0x1234, ts=0xDEADBEEF, ssrc=0x01020304, 4 payload bytes.
        let bytes: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFE, 0x7F, 0x00]
        let packet = try RTPPacket(decoding: ByteBuffer(bytes: bytes))
        #expect(packet.header == RTPHeader(marker: true, payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xDEAD_BEEF, ssrc: 0x0102_0304))
        #expect(Array(packet.payload.readableBytesView) == [0xFF, 0xFE, 0x7F, 0x00])
        #expect(Array(packet.encoded().readableBytesView) == bytes)
    }

    @Test func handlesCSRCExtensionAndPadding() throws {
        let header = RTPHeader(payloadType: 101, sequenceNumber: 7, timestamp: 160, ssrc: 9, csrcs: [1, 2],
                               extensionProfile: 0xBEDE, extensionData: [1, 2, 3, 4])
        var wire = RTPPacket(header: header, payload: ByteBuffer(bytes: [9, 9, 9])).encoded()
        #expect(wire.readableBytes == 12 + 8 + 8 + 3)
        #expect(try RTPPacket(decoding: wire).header == header)
        // Add 5 bytes of padding by hand (P bit + count in the last octet, RFC 3550 §5.1).
        wire.setInteger(wire.getInteger(at: 0, as: UInt8.self)! | 0x20, at: 0)
        wire.writeBytes([0, 0, 0, 0, 5])
        let padded = try RTPPacket(decoding: wire)
        #expect(Array(padded.payload.readableBytesView) == [9, 9, 9])
    }

    @Test(arguments: [
        ([0x80, 0x00, 0x00], RTPParseError.tooShort("RTP header")),
        ([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], .badVersion),
        ([0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], .tooShort("CSRC list")),
        ([0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 9], .badLength("RTP padding")),
    ] as [([UInt8], RTPParseError)])
    func rejectsMalformedPackets(bytes: [UInt8], error: RTPParseError) {
        #expect(throws: error) { try RTPPacket(decoding: ByteBuffer(bytes: bytes)) }
    }

    @Test func compoundRTCPRoundTripAndDemux() throws {
        let block = RTCPReportBlock(ssrc: 0xAABB_CCDD, fractionLost: 25, cumulativeLost: -3, extendedHighestSequence: 70000,
                                    jitter: 42, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65536)
        let packets: [RTCPPacket] = [
            .senderReport(RTCPSenderReport(ssrc: 1, ntpTimestamp: 0xE000_0000_8000_0000, rtpTimestamp: 8000, packetCount: 50, octetCount: 8000, reports: [block])),
            .sourceDescription(ssrc: 1, cname: "media@node"),
            .receiverReport(ssrc: 2, reports: [block, block]),
            .bye(ssrcs: [1]),
        ]
        var buffer = ByteBuffer()
        for p in packets { p.encode(into: &buffer) }
        #expect(RTPDemultiplexer.isRTCP(buffer))
        #expect(try RTCPPacket.decodeCompound(buffer) == packets)
        // SR header: V=2, RC=1, PT=200, length = 12 words.
        #expect(Array(buffer.readableBytesView.prefix(4)) == [0x81, 200, 0, 12])
        #expect(!RTPDemultiplexer.isRTCP(ByteBuffer(bytes: [0x80, 0x00, 0, 0])))
        if case .senderReport(let sr) = packets[0] { #expect(sr.compactNTP == 0x0000_8000) }
    }

    @Test func rtcpLengthBeyondDatagramIsRejected() {
        #expect(throws: RTPParseError.badLength("RTCP length beyond datagram")) {
            try RTCPPacket.decodeCompound(ByteBuffer(bytes: [0x80, 201, 0, 5, 0, 0, 0, 1]))
        }
    }
}
