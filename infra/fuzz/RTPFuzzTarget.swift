// libFuzzer entry point for RTPCore's wire decoders (built by infra/fuzz/run.sh rtp). Each input
// is one datagram. Properties checked: RTP and RTCP decoding never crash; what decodes encodes to
// bytes that decode to the same packets; the payload's telephone-event blocks, the RFC 4733
// receiver, receive statistics, the jitter buffer, G.711 and the in-band detector accept anything.
// The same bytes are also read as a WAV file (prompts come from tenants).
import NIOCore
import RTPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let buffer = ByteBuffer(bytes: bytes)
    _ = RTPDemultiplexer.isRTCP(buffer)

    if let packet = try? RTPPacket(decoding: buffer) {
        let encoded = packet.encoded()
        guard let again = try? RTPPacket(decoding: encoded), again == packet else {
            fatalError("RTP packet does not survive encode/decode: \(packet)")
        }
        let payload = Array(packet.payload.readableBytesView)
        var receiver = TelephoneEventReceiver()
        for (event, timestamp) in TelephoneEvent.blocks(in: payload, timestamp: packet.header.timestamp) {
            _ = receiver.receive(event, timestamp: timestamp)
        }
        _ = receiver.expire()
        var statistics = RTPReceiveStatistics()
        var jitter = JitterBuffer<Int>(depth: 2, capacity: 8)
        // Sequence numbers and timestamps taken from the payload, so the fuzzer drives them.
        var words = payload.makeIterator()
        while let a = words.next(), let b = words.next() {
            let sequence = UInt16(a) << 8 | UInt16(b)
            statistics.record(sequence: sequence, timestamp: UInt32(b) << 16 | UInt32(a), arrival: UInt32(sequence) &* 160)
            jitter.insert(sequence: sequence, frame: Int(a))
            _ = jitter.pop()
        }
        _ = statistics.makeReportBlock(ssrc: packet.header.ssrc)
        _ = statistics.lossRatio
        let samples = payload.map { G711.linear(fromULaw: $0) }
        var detector = InBandDTMFDetector()
        _ = detector.process(samples)
    }

    if let packets = try? RTCPPacket.decodeCompound(buffer) {
        var encoded = ByteBuffer()
        for p in packets { p.encode(into: &encoded) }
        guard let again = try? RTCPPacket.decodeCompound(encoded), again == packets else {
            fatalError("RTCP packets do not survive encode/decode: \(packets)")
        }
    }

    _ = try? WAVDecoder.decode(Array(bytes))
    return 0
}
