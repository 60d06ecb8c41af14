import NIOCore

/// One RTCP packet of a compound datagram (RFC 3550 §6.4).
public enum RTCPPacket: Sendable, Hashable {
    /// Sender report, PT 200 (RFC 3550 §6.4.1).
    case senderReport(RTCPSenderReport)
    /// Receiver report, PT 201 (RFC 3550 §6.4.2).
    case receiverReport(ssrc: UInt32, reports: [RTCPReportBlock])
    /// Goodbye, PT 203 (RFC 3550 §6.6).
    case bye(ssrcs: [UInt32])
    /// Any other type (SDES, APP, feedback), kept as raw body bytes after the 4-byte header.
    case other(packetType: UInt8, count: UInt8, body: [UInt8])

    /// Decodes a compound RTCP datagram (RFC 3550 §6.1).
    public static func decodeCompound(_ buffer: ByteBuffer) throws(RTPParseError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = buffer.readerIndex
        let end = buffer.writerIndex
        while offset < end {
            guard end - offset >= 4, let first = buffer.getInteger(at: offset, as: UInt8.self),
                let type = buffer.getInteger(at: offset + 1, as: UInt8.self),
                let words = buffer.getInteger(at: offset + 2, as: UInt16.self)
            else { throw .tooShort("RTCP header") }
            guard first >> 6 == 2 else { throw .badVersion }
            let length = 4 * (Int(words) + 1)
            guard offset + length <= end else { throw .badLength("RTCP length beyond datagram") }
            let count = first & 0x1F
            guard let body = buffer.getSlice(at: offset + 4, length: length - 4) else { throw .badLength("RTCP body") }
            packets.append(try decodeOne(type: type, count: count, body: body))
            offset += length
        }
        return packets
    }

    private static func decodeOne(type: UInt8, count: UInt8, body: ByteBuffer) throws(RTPParseError) -> RTCPPacket {
        var body = body
        switch type {
        case 200:
            guard let ssrc = body.readInteger(as: UInt32.self), let ntp = body.readInteger(as: UInt64.self),
                let rtp = body.readInteger(as: UInt32.self), let packets = body.readInteger(as: UInt32.self),
                let octets = body.readInteger(as: UInt32.self)
            else { throw .tooShort("sender report") }
            let reports = try readBlocks(&body, count: Int(count))
            return .senderReport(
                RTCPSenderReport(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp, packetCount: packets, octetCount: octets, reports: reports))
        case 201:
            guard let ssrc = body.readInteger(as: UInt32.self) else { throw .tooShort("receiver report") }
            return .receiverReport(ssrc: ssrc, reports: try readBlocks(&body, count: Int(count)))
        case 203:
            var ssrcs: [UInt32] = []
            for _ in 0..<count {
                guard let s = body.readInteger(as: UInt32.self) else { throw .tooShort("BYE") }
                ssrcs.append(s)
            }
            return .bye(ssrcs: ssrcs)
        default:
            return .other(packetType: type, count: count, body: body.readBytes(length: body.readableBytes) ?? [])
        }
    }

    private static func readBlocks(_ body: inout ByteBuffer, count: Int) throws(RTPParseError) -> [RTCPReportBlock] {
        var blocks: [RTCPReportBlock] = []
        for _ in 0..<count {
            guard let block = RTCPReportBlock(reading: &body) else { throw .tooShort("report block") }
            blocks.append(block)
        }
        return blocks
    }

    /// Appends the wire form of this packet.
    public func encode(into buffer: inout ByteBuffer) {
        func header(count: Int, type: UInt8, bodyBytes: Int) {
            buffer.writeInteger(UInt8(0x80 | (count & 0x1F)))
            buffer.writeInteger(type)
            buffer.writeInteger(UInt16(bodyBytes / 4))  // length in words minus one (RFC 3550 §6.4.1)
        }
        switch self {
        case .senderReport(let sr):
            header(count: sr.reports.count, type: 200, bodyBytes: 24 + 24 * sr.reports.count)
            buffer.writeInteger(sr.ssrc)
            buffer.writeInteger(sr.ntpTimestamp)
            buffer.writeInteger(sr.rtpTimestamp)
            buffer.writeInteger(sr.packetCount)
            buffer.writeInteger(sr.octetCount)
            for block in sr.reports { block.encode(into: &buffer) }
        case .receiverReport(let ssrc, let reports):
            header(count: reports.count, type: 201, bodyBytes: 4 + 24 * reports.count)
            buffer.writeInteger(ssrc)
            for block in reports { block.encode(into: &buffer) }
        case .bye(let ssrcs):
            header(count: ssrcs.count, type: 203, bodyBytes: 4 * ssrcs.count)
            for s in ssrcs { buffer.writeInteger(s) }
        case .other(let type, let count, let body):
            header(count: Int(count), type: type, bodyBytes: body.count)
            buffer.writeBytes(body)
        }
    }

    /// A minimal SDES packet with one CNAME item (RFC 3550 §6.5.1), required in every compound packet.
    public static func sourceDescription(ssrc: UInt32, cname: String) -> RTCPPacket {
        var body: [UInt8] = []
        body.append(contentsOf: withUnsafeBytes(of: ssrc.bigEndian, Array.init))
        let name = Array(cname.utf8.prefix(255))
        body.append(1)
        body.append(UInt8(name.count))
        body.append(contentsOf: name)
        body.append(0)
        while body.count % 4 != 0 { body.append(0) }
        return .other(packetType: 202, count: 1, body: body)
    }
}

/// Sender information and reports of an SR (RFC 3550 §6.4.1).
public struct RTCPSenderReport: Sendable, Hashable {
    public var ssrc: UInt32
    /// 64-bit NTP timestamp (seconds since 1900 in the high 32 bits).
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [RTCPReportBlock]

    public init(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reports: [RTCPReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    /// The middle 32 bits of the NTP timestamp, echoed as LSR (RFC 3550 §6.4.1).
    public var compactNTP: UInt32 { UInt32(truncatingIfNeeded: ntpTimestamp >> 16) }
}

/// A reception report block (RFC 3550 §6.4.1).
public struct RTCPReportBlock: Sendable, Hashable {
    public var ssrc: UInt32
    /// Fraction lost since the previous report, fixed point /256.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed on the wire).
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    public var lastSenderReport: UInt32
    /// Delay since last SR in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32,
        lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    init?(reading buffer: inout ByteBuffer) {
        guard let ssrc = buffer.readInteger(as: UInt32.self), let lossWord = buffer.readInteger(as: UInt32.self),
            let highest = buffer.readInteger(as: UInt32.self), let jitter = buffer.readInteger(as: UInt32.self),
            let lsr = buffer.readInteger(as: UInt32.self), let dlsr = buffer.readInteger(as: UInt32.self)
        else { return nil }
        let raw = Int32(bitPattern: lossWord << 8) >> 8  // sign-extend the 24-bit field
        self.init(
            ssrc: ssrc, fractionLost: UInt8(lossWord >> 24), cumulativeLost: raw, extendedHighestSequence: highest,
            jitter: jitter, lastSenderReport: lsr, delaySinceLastSenderReport: dlsr)
    }

    func encode(into buffer: inout ByteBuffer) {
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        buffer.writeInteger(ssrc)
        buffer.writeInteger(UInt32(fractionLost) << 24 | (UInt32(bitPattern: clamped) & 0xFF_FFFF))
        buffer.writeInteger(extendedHighestSequence)
        buffer.writeInteger(jitter)
        buffer.writeInteger(lastSenderReport)
        buffer.writeInteger(delaySinceLastSenderReport)
    }
}
