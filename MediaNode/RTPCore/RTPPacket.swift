import NIOCore

/// An RTP data packet (RFC 3550 §5.1).
public struct RTPPacket: Sendable, Hashable {
    /// The fixed header plus CSRC list and extension.
    public var header: RTPHeader
    /// The payload without padding.
    public var payload: ByteBuffer

    public init(header: RTPHeader, payload: ByteBuffer) {
        self.header = header
        self.payload = payload
    }

    /// Decodes the readable bytes of `buffer` without consuming them.
    public init(decoding buffer: ByteBuffer) throws(RTPParseError) {
        let (header, payloadOffset, payloadLength) = try RTPHeader.decode(buffer)
        guard let payload = buffer.getSlice(at: buffer.readerIndex + payloadOffset, length: payloadLength) else {
            throw .badLength("RTP payload")
        }
        self.header = header
        self.payload = payload
    }

    /// Appends the wire form to `buffer` (no padding is ever added).
    public func encode(into buffer: inout ByteBuffer) {
        header.encode(into: &buffer)
        var payload = payload
        buffer.writeBuffer(&payload)
    }

    /// The wire form.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: header.encodedSize + payload.readableBytes)
        encode(into: &buffer)
        return buffer
    }
}

/// The RTP header (RFC 3550 §5.1).
public struct RTPHeader: Sendable, Hashable {
    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    /// Header extension (RFC 3550 §5.3.1): profile-defined 16 bits and the data words.
    public var extensionProfile: UInt16?
    public var extensionData: [UInt8]

    /// Size of the fixed header.
    public static let fixedSize = 12

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], extensionProfile: UInt16? = nil, extensionData: [UInt8] = []
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensionProfile = extensionProfile
        self.extensionData = extensionData
    }

    /// Bytes this header occupies on the wire.
    public var encodedSize: Int {
        Self.fixedSize + 4 * csrcs.count + (extensionProfile == nil ? 0 : 4 + extensionData.count)
    }

    /// Decodes a header; returns it with the payload offset and length (padding removed).
    static func decode(_ buffer: ByteBuffer) throws(RTPParseError) -> (RTPHeader, Int, Int) {
        let base = buffer.readerIndex
        let size = buffer.readableBytes
        guard size >= fixedSize, let first = buffer.getInteger(at: base, as: UInt8.self),
            let second = buffer.getInteger(at: base + 1, as: UInt8.self),
            let sequence = buffer.getInteger(at: base + 2, as: UInt16.self),
            let timestamp = buffer.getInteger(at: base + 4, as: UInt32.self),
            let ssrc = buffer.getInteger(at: base + 8, as: UInt32.self)
        else { throw .tooShort("RTP header") }
        guard first >> 6 == 2 else { throw .badVersion }
        let csrcCount = Int(first & 0x0F)
        var offset = fixedSize + 4 * csrcCount
        guard size >= offset else { throw .tooShort("CSRC list") }
        var csrcs: [UInt32] = []
        for index in 0..<csrcCount {
            guard let csrc = buffer.getInteger(at: base + fixedSize + 4 * index, as: UInt32.self) else { throw .tooShort("CSRC list") }
            csrcs.append(csrc)
        }
        var extensionProfile: UInt16?
        var extensionData: [UInt8] = []
        if first & 0x10 != 0 {  // X bit, RFC 3550 §5.3.1
            guard size >= offset + 4, let profile = buffer.getInteger(at: base + offset, as: UInt16.self),
                let words = buffer.getInteger(at: base + offset + 2, as: UInt16.self).map(Int.init),
                size >= offset + 4 + 4 * words, let data = buffer.getBytes(at: base + offset + 4, length: 4 * words)
            else { throw .tooShort("header extension") }
            extensionProfile = profile
            extensionData = data
            offset += 4 + 4 * words
        }
        var payloadLength = size - offset
        if first & 0x20 != 0 {  // P bit: last octet counts padding
            guard let padding = buffer.getInteger(at: base + size - 1, as: UInt8.self).map(Int.init),
                padding > 0, padding <= payloadLength
            else { throw .badLength("RTP padding") }
            payloadLength -= padding
        }
        let header = RTPHeader(
            marker: second & 0x80 != 0, payloadType: second & 0x7F, sequenceNumber: sequence, timestamp: timestamp,
            ssrc: ssrc, csrcs: csrcs, extensionProfile: extensionProfile, extensionData: extensionData)
        return (header, offset, payloadLength)
    }

    /// Appends the wire form (version 2, no padding).
    public func encode(into buffer: inout ByteBuffer) {
        var first: UInt8 = 0x80 | UInt8(csrcs.count & 0x0F)
        if extensionProfile != nil { first |= 0x10 }
        buffer.writeInteger(first)
        buffer.writeInteger((marker ? 0x80 : 0) | (payloadType & 0x7F))
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(ssrc)
        for csrc in csrcs { buffer.writeInteger(csrc) }
        if let extensionProfile {
            buffer.writeInteger(extensionProfile)
            buffer.writeInteger(UInt16(extensionData.count / 4))
            buffer.writeBytes(extensionData)
        }
    }
}

/// RFC 3550 §5.1 / RFC 5761 §4: first byte version 2 and second byte 200…204 is RTCP.
public enum RTPDemultiplexer {
    /// True when the datagram looks like RTCP rather than RTP.
    public static func isRTCP(_ buffer: ByteBuffer) -> Bool {
        guard let second = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { return false }
        return (192...223).contains(second)
    }
}
