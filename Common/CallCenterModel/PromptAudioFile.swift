/// What the control plane checks of an uploaded prompt before storing it: a RIFF/WAVE file the
/// media node can play (PCM 16-bit, μ-law or A-law; mono; 8–48 kHz). Reads the header only.
public struct PromptAudioFile: Sendable, Equatable {
    public enum Encoding: String, Sendable { case pcm16, mulaw, alaw }

    public var encoding: Encoding
    public var sampleRate: Int
    public var durationMs: Int

    /// Why a file was refused, for the person who uploaded it.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// A prompt's name, which is also its file name on the nodes (and a voicemail box's folder):
    /// 1–100 letters, digits, `.`, `_`, `-`, starting with a letter or digit (so never `..` or a
    /// hidden file). The `prompts` table checks the same rule.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 100 else { return false }
        func alphanumeric(_ c: Unicode.Scalar) -> Bool { c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c)) }
        return alphanumeric(first) && name.unicodeScalars.allSatisfy { alphanumeric($0) || "._-".unicodeScalars.contains($0) }
    }

    public static func inspect(_ bytes: [UInt8]) throws(Problem) -> PromptAudioFile {
        func u32(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 | Int(bytes[i + 3]) << 24 }
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func tag(_ i: Int) -> String { String(decoding: bytes[i..<i + 4], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else {
            throw Problem(description: "not a WAV file (no RIFF/WAVE header)")
        }
        var offset = 12
        var format: (code: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = tag(offset), size = u32(offset + 4), body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw Problem(description: "the fmt chunk is truncated") }
                format = (u16(body), u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let f = format else { throw Problem(description: "the data chunk comes before the fmt chunk") }
                let encoding: Encoding
                switch (f.code, f.bits) {
                case (1, 16): encoding = .pcm16
                case (7, 8): encoding = .mulaw
                case (6, 8): encoding = .alaw
                default:
                    throw Problem(description: "unsupported sample format (WAV format \(f.code), \(f.bits) bits); use 16-bit PCM, μ-law or A-law")
                }
                guard f.channels == 1 else { throw Problem(description: "\(f.channels) channels; prompts must be mono") }
                guard (8000...48000).contains(f.rate) else { throw Problem(description: "sample rate \(f.rate) Hz; use 8 or 16 kHz") }
                let available = min(size, bytes.count - body)
                let bytesPerSecond = f.rate * (encoding == .pcm16 ? 2 : 1)
                return PromptAudioFile(encoding: encoding, sampleRate: f.rate, durationMs: available * 1000 / bytesPerSecond)
            }
            offset = body + size + (size & 1)
        }
        throw Problem(description: format == nil ? "no fmt chunk" : "no data chunk")
    }
}
