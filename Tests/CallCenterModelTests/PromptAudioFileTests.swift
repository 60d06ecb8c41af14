import CallCenterModel
import Testing

@Suite("Prompt files: names and WAV headers")
struct PromptAudioFileTests {
    @Test(arguments: ["welcome.wav", "moh_zh-2", "A", String(repeating: "x", count: 100)])
    func validNames(_ name: String) { #expect(PromptAudioFile.isValidName(name)) }

    @Test(arguments: ["", ".hidden", "-x", "_x", "../x", "a/b", "a b", "声音.wav", String(repeating: "x", count: 101)])
    func invalidNames(_ name: String) { #expect(!PromptAudioFile.isValidName(name)) }

    /// A RIFF/WAVE header: format code, channels, rate, bits, then `dataBytes` of data.
    static func wav(format: Int, channels: Int, rate: Int, bits: Int, dataBytes: Int) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255), UInt8(v >> 16 & 255), UInt8(v >> 24 & 255)] }
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }
        let fmt = u16(format) + u16(channels) + u32(rate) + u32(rate * channels * bits / 8) + u16(channels * bits / 8) + u16(bits)
        return Array("RIFF".utf8) + u32(36 + dataBytes) + Array("WAVE".utf8) + Array("fmt ".utf8) + u32(16) + fmt
            + Array("data".utf8) + u32(dataBytes) + [UInt8](repeating: 0, count: dataBytes)
    }

    @Test func headersAreReadAndRefusedWithTheReason() throws {
        let mulaw = try PromptAudioFile.inspect(Self.wav(format: 7, channels: 1, rate: 8000, bits: 8, dataBytes: 4000))
        #expect(mulaw.encoding == .mulaw && mulaw.sampleRate == 8000 && mulaw.durationMs == 500)
        #expect(try PromptAudioFile.inspect(Self.wav(format: 1, channels: 1, rate: 16000, bits: 16, dataBytes: 64000)).durationMs == 2000)
        let cases: [([UInt8], String)] = [
            (Array("not a wav file".utf8), "not a WAV"),
            (Self.wav(format: 3, channels: 1, rate: 8000, bits: 32, dataBytes: 8), "unsupported sample format"),
            (Self.wav(format: 1, channels: 2, rate: 8000, bits: 16, dataBytes: 8), "mono"),
            (Self.wav(format: 1, channels: 1, rate: 4000, bits: 16, dataBytes: 8), "sample rate"),
            (Array(Self.wav(format: 1, channels: 1, rate: 8000, bits: 16, dataBytes: 0).prefix(20)), "fmt"),
        ]
        for (bytes, reason) in cases {
            let problem = #expect(throws: PromptAudioFile.Problem.self) { try PromptAudioFile.inspect(bytes) }
            #expect(problem?.description.contains(reason) == true, "\(problem?.description ?? "-")")
        }
    }
}
