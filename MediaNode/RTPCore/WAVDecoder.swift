/// Reads a WAV file's bytes into 8 kHz mono linear samples for playback.
///
/// Accepts PCM 8/16-bit, μ-law and A-law (also inside WAVE_FORMAT_EXTENSIBLE), any sample
/// rate (resampled to 8 kHz) and any channel count (averaged to mono).
public enum WAVDecoder {
    /// Sample format, rate and channel count read from the `fmt ` chunk.
    public struct Info: Sendable, Hashable {
        public var format: WAVSampleFormat
        public var sampleRate: Int
        public var channels: Int
    }

    /// Sample rates a file may have, Hz (8 kHz telephony to 192 kHz studio files).
    public static let supportedSampleRates = 8000...192_000

    /// Decodes to 8 kHz mono.
    public static func decode(_ bytes: [UInt8], targetRate: Int = 8000) throws(WAVError) -> [Int16] {
        let (info, samples) = try decodeNative(bytes)
        var mono = samples
        if info.channels > 1 {
            mono = stride(from: 0, to: samples.count - info.channels + 1, by: info.channels).map { i in
                var sum = 0
                for c in 0..<info.channels { sum += Int(samples[i + c]) }
                return Int16(sum / info.channels)
            }
        }
        return info.sampleRate == targetRate ? mono : Resampler.resample(mono, from: info.sampleRate, to: targetRate)
    }

    /// Decodes to linear samples at the file's own rate, interleaved channels.
    public static func decodeNative(_ bytes: [UInt8]) throws(WAVError) -> (Info, [Int16]) {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw .notWAV
        }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var offset = 12
        var info: Info?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            var size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw .truncated("fmt chunk") }
                var tag = u16(body)
                if tag == 0xFFFE, size >= 40 {  // WAVE_FORMAT_EXTENSIBLE subformat
                    // The chunk may claim 40 bytes in a file that ends sooner (read out of range before).
                    guard body + 26 <= bytes.count else { throw .truncated("fmt chunk") }
                    tag = u16(body + 24)
                }
                let bits = u16(body + 14)
                let format: WAVSampleFormat
                switch (tag, bits) {
                case (1, 8), (1, 16): format = .pcm(bitsPerSample: bits)
                case (6, 8): format = .alaw
                case (7, 8): format = .ulaw
                default: throw .unsupportedFormat("format tag \(tag), \(bits) bits")
                }
                let rate = u32(body + 4)
                // 0 Hz trapped the resampler (infinite output length); a few Hz made it allocate
                // thousands of samples per input sample.
                guard supportedSampleRates.contains(rate) else { throw .unsupportedFormat("sample rate \(rate) Hz") }
                info = Info(format: format, sampleRate: rate, channels: max(1, u16(body + 2)))
            } else if id == "data" {
                guard let info else { throw .unsupportedFormat("data before fmt") }
                // Streaming writers leave 0 or 0xFFFFFFFF; take what is there.
                if size == 0 || body + size > bytes.count { size = bytes.count - body }
                let data = bytes[body..<body + size]
                return (info, samples(data, info.format))
            }
            offset = body + size + (size & 1)
        }
        throw .truncated("no data chunk")
    }

    static func samples(_ data: ArraySlice<UInt8>, _ format: WAVSampleFormat) -> [Int16] {
        switch format {
        case .pcm(bitsPerSample: 8): return data.map { Int16(Int($0) - 128) << 8 }
        case .pcm: return stride(from: data.startIndex, to: data.endIndex - 1, by: 2).map { Int16(bitPattern: UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8) }
        case .ulaw: return data.map { G711.linear(fromULaw: $0) }
        case .alaw: return data.map { G711.linear(fromALaw: $0) }
        }
    }
}
