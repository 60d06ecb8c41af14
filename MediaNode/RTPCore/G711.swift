/// ITU-T G.711 μ-law and A-law companding.
///
/// 16-bit linear input is first rounded to G.711's native precision (14 bits for μ-law,
/// 13 bits for A-law, rounding half up and saturating) and then companded with the
/// segment tables of G.711 §2 / Table 1a–2b. Decoding returns the segment midpoints
/// scaled to 16 bits. Hot paths use 64 KiB encode and 256-entry decode tables.
public enum G711 {
    /// Encodes one linear sample as μ-law (G.711 Table 2a).
    @inlinable public static func ulaw(fromLinear sample: Int16) -> UInt8 { ulawEncodeTable[Int(UInt16(bitPattern: sample))] }
    /// Encodes one linear sample as A-law (G.711 Table 1a).
    @inlinable public static func alaw(fromLinear sample: Int16) -> UInt8 { alawEncodeTable[Int(UInt16(bitPattern: sample))] }
    /// Decodes one μ-law byte.
    @inlinable public static func linear(fromULaw byte: UInt8) -> Int16 { ulawDecodeTable[Int(byte)] }
    /// Decodes one A-law byte.
    @inlinable public static func linear(fromALaw byte: UInt8) -> Int16 { alawDecodeTable[Int(byte)] }

    /// μ-law encoding of silence (linear 0).
    public static let ulawSilence: UInt8 = 0xFF
    /// A-law encoding of silence (linear 0).
    public static let alawSilence: UInt8 = 0xD5

    // MARK: - Tables

    public static let ulawEncodeTable: [UInt8] = (0..<65536).map { computeULaw(Int16(bitPattern: UInt16($0))) }
    public static let alawEncodeTable: [UInt8] = (0..<65536).map { computeALaw(Int16(bitPattern: UInt16($0))) }
    public static let ulawDecodeTable: [Int16] = (0..<256).map { computeULawDecode(UInt8($0)) }
    public static let alawDecodeTable: [Int16] = (0..<256).map { computeALawDecode(UInt8($0)) }
    /// μ-law code → A-law code through linear (G.711 Table 3 style transcoding for relays).
    public static let ulawToALaw: [UInt8] = (0..<256).map { alaw(fromLinear: linear(fromULaw: UInt8($0))) }
    /// A-law code → μ-law code through linear.
    public static let alawToULaw: [UInt8] = (0..<256).map { ulaw(fromLinear: linear(fromALaw: UInt8($0))) }

    /// Rounds a 16-bit sample to `bits` of precision, half up, saturating.
    static func reduce(_ sample: Int16, toBits bits: Int) -> Int {
        let shift = 16 - bits
        let limit = (1 << (bits - 1)) - 1
        return min((Int(sample) + (1 << (shift - 1))) >> shift, limit)
    }

    static func segment(_ value: Int, ends: [Int]) -> Int {
        ends.firstIndex { value <= $0 } ?? ends.count
    }

    /// G.711 μ-law: bias 33 on 14-bit magnitude, 8 segments (Table 2a).
    static func computeULaw(_ sample: Int16) -> UInt8 {
        var value = reduce(sample, toBits: 14)
        var mask: UInt8 = 0xFF
        if value < 0 {
            value = -value
            mask = 0x7F
        }
        value = min(value, 8159) + 33
        let seg = segment(value, ends: [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
        if seg >= 8 { return 0x7F ^ mask }
        return UInt8((seg << 4) | ((value >> (seg + 1)) & 0x0F)) ^ mask
    }

    /// G.711 A-law on 13-bit input, even bits inverted (Table 1a).
    static func computeALaw(_ sample: Int16) -> UInt8 {
        var value = reduce(sample, toBits: 13)
        var mask: UInt8 = 0xD5
        if value < 0 {
            value = -value - 1
            mask = 0x55
        }
        let seg = segment(value, ends: [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])
        if seg >= 8 { return 0x7F ^ mask }
        let quant = seg < 2 ? (value >> 1) & 0x0F : (value >> seg) & 0x0F
        return UInt8((seg << 4) | quant) ^ mask
    }

    static func computeULawDecode(_ byte: UInt8) -> Int16 {
        let u = Int(~byte)
        var t = ((u & 0x0F) << 3) + 0x84
        t <<= (u & 0x70) >> 4
        return Int16(u & 0x80 != 0 ? 0x84 - t : t - 0x84)
    }

    static func computeALawDecode(_ byte: UInt8) -> Int16 {
        let a = Int(byte ^ 0x55)
        var t = (a & 0x0F) << 4
        let seg = (a & 0x70) >> 4
        switch seg {
        case 0: t += 8
        case 1: t += 0x108
        default:
            t += 0x108
            t <<= seg - 1
        }
        return Int16(a & 0x80 != 0 ? t : -t)
    }
}

extension AudioEncoding {
    /// Encodes linear samples into G.711 bytes.
    @inlinable public func encode(_ samples: some Collection<Int16>) -> [UInt8] {
        switch self {
        case .ulaw: samples.map { G711.ulaw(fromLinear: $0) }
        case .alaw: samples.map { G711.alaw(fromLinear: $0) }
        }
    }

    /// Decodes G.711 bytes into linear samples.
    @inlinable public func decode(_ bytes: some Collection<UInt8>) -> [Int16] {
        switch self {
        case .ulaw: bytes.map { G711.linear(fromULaw: $0) }
        case .alaw: bytes.map { G711.linear(fromALaw: $0) }
        }
    }

    /// The byte that encodes silence.
    public var silence: UInt8 { self == .ulaw ? G711.ulawSilence : G711.alawSilence }
}

/// A G.711 variant (RTP payload type 0 or 8, RFC 3551 §4.5.14).
public enum AudioEncoding: Sendable, Hashable {
    case ulaw
    case alaw

    /// RFC 3551 static payload type.
    public var staticPayloadType: UInt8 { self == .ulaw ? 0 : 8 }
}
