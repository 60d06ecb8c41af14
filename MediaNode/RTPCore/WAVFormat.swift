/// RIFF/WAVE formats this node reads and writes.
public enum WAVSampleFormat: Sendable, Hashable {
    /// Linear PCM, 8-bit unsigned or 16-bit signed little-endian (format tag 1).
    case pcm(bitsPerSample: Int)
    /// G.711 A-law (format tag 6).
    case alaw
    /// G.711 μ-law (format tag 7).
    case ulaw

    var formatTag: UInt16 {
        switch self {
        case .pcm: 1
        case .alaw: 6
        case .ulaw: 7
        }
    }

    var bitsPerSample: Int {
        if case .pcm(let bits) = self { return bits }
        return 8
    }
}

/// The 44-byte canonical WAV header (RIFF, `fmt `, `data`).
public struct WAVHeader: Sendable, Hashable {
    public var format: WAVSampleFormat
    public var channels: Int
    public var sampleRate: Int
    /// Bytes of sample data following the header.
    public var dataSize: Int

    public static let size = 44

    public init(format: WAVSampleFormat, channels: Int, sampleRate: Int, dataSize: Int) {
        self.format = format
        self.channels = channels
        self.sampleRate = sampleRate
        self.dataSize = dataSize
    }

    /// Wire form. Sizes are exact for `dataSize`, so a file is valid at any flush point.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.size)
        func u32(_ v: Int) { out.append(contentsOf: withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, Array.init)) }
        func u16(_ v: Int) { out.append(contentsOf: withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, Array.init)) }
        let blockAlign = channels * format.bitsPerSample / 8
        out.append(contentsOf: Array("RIFF".utf8))
        u32(36 + dataSize + (dataSize & 1))
        out.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16)
        u16(Int(format.formatTag))
        u16(channels)
        u32(sampleRate)
        u32(sampleRate * blockAlign)
        u16(blockAlign)
        u16(format.bitsPerSample)
        out.append(contentsOf: Array("data".utf8))
        u32(dataSize)
        return out
    }
}
