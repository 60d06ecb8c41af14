import Testing
import Foundation
@testable import RTPCore

/// WAV files written by sox in every supported format decode to the right audio at 8 kHz.
@Suite struct WAVDecoderTests {
    func soxWAV(_ args: [String]) throws -> [UInt8] {
        try ExternalTool.run("sox", ["-D", "-n"] + args)
    }

    @Test(arguments: [
        ["-r", "8000", "-e", "signed", "-b", "16"],
        ["-r", "16000", "-e", "signed", "-b", "16"],
        ["-r", "8000", "-e", "u-law", "-b", "8"],
        ["-r", "8000", "-e", "a-law", "-b", "8"],
        ["-r", "8000", "-e", "unsigned", "-b", "8"],
        ["-r", "44100", "-e", "signed", "-b", "16", "-c", "2"],
        ["-r", "48000", "-e", "signed", "-b", "16"],
    ])
    func decodesOneKilohertzToneAtEightKilohertz(format: [String]) throws {
        let gain = amplitudeFor(dBm0: -10) / 32767
        let wav = try soxWAV(format + ["-t", "wav", "-", "synth", "1", "sine", "1000", "vol", String(gain)])
        let samples = try WAVDecoder.decode(wav)
        #expect(abs(samples.count - 8000) <= 2)
        let middle = Array(samples[400..<7600])  // skip resampler edges
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(middle) - 1000) < 0.5)
        let tolerance = format.contains("unsigned") ? 0.5 : 0.15  // 8-bit PCM has ~-48 dB noise
        #expect(abs(SignalMeasurement.rmsDBm0(middle) - (-10)) < tolerance)
    }

    @Test func ulawFileDecodesExactlyLikeSox() throws {
        let wav = try soxWAV(["-r", "8000", "-e", "u-law", "-t", "wav", "-", "synth", "0.5", "sine", "300-3000"])
        let reference = Sox.samples(try ExternalTool.run("sox", ["-t", "wav", "-"] + Sox.raw16 + ["-"], stdin: wav))
        #expect(try WAVDecoder.decode(wav) == reference)
    }

    @Test func downsamplingRemovesContentAboveFourKilohertz() throws {
        // 5 kHz at 16 kHz would alias to 3 kHz without the anti-alias filter.
        let wav = try soxWAV(["-r", "16000", "-e", "signed", "-b", "16", "-t", "wav", "-", "synth", "1", "sine", "5000", "vol", "0.5"])
        let samples = try WAVDecoder.decode(wav)
        let aliased = Goertzel(frequency: 3000).amplitude(Array(samples[400..<7600]).map(Float.init))
        #expect(20 * log10(max(aliased, 1e-3) / 16384) < -50)
    }

    @Test func rejectsNonWAVAndUnsupportedFormats() throws {
        #expect(throws: WAVError.notWAV) { try WAVDecoder.decode(Array("hello world!".utf8)) }
        let float = try soxWAV(["-r", "8000", "-e", "floating-point", "-b", "32", "-t", "wav", "-", "synth", "0.1", "sine", "440"])
        #expect(throws: WAVError.self) { try WAVDecoder.decode(float) }
    }

    /// Our header is read back by sox (an independent parser) with the right format and length.
    @Test(arguments: [(WAVSampleFormat.pcm(bitsPerSample: 16), 2, "Signed Integer PCM"), (.ulaw, 1, "u-law"), (.alaw, 1, "A-law")])
    func soxAcceptsOurHeader(format: WAVSampleFormat, channels: Int, encoding: String) throws {
        let frames = 4000
        let dataSize = frames * channels * (format == .pcm(bitsPerSample: 16) ? 2 : 1)
        let bytes = WAVHeader(format: format, channels: channels, sampleRate: 8000, dataSize: dataSize).bytes + [UInt8](repeating: 0x55, count: dataSize)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hdr-\(UUID().uuidString).wav")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let info = String(decoding: try ExternalTool.run("sox", ["--i", url.path]), as: UTF8.self)
        #expect(info.contains("Channels       : \(channels)"))
        #expect(info.contains("Sample Rate    : 8000"))
        #expect(info.contains("\(frames) samples"))
        #expect(info.contains(encoding))
    }
}
