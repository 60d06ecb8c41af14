import Foundation

/// Minimal PCM16 WAV reading and frequency estimate (zero crossings) for the recordings.
package enum WAVSamples {
    struct SoxFailed: Error, CustomStringConvertible {
        var description: String { "sox failed; it is needed (infra/deps/apt.txt)" }
    }

    /// Writes a sine tone as 8 kHz 16-bit WAV with sox (`channels` 2 makes a stereo file).
    package static func writeTone(_ path: String, hz: Int, seconds: Double, channels: Int = 1) throws {
        let sox = try LineProcess("sox", ["-D", "-n", "-r", "8000", "-b", "16", "-c", "\(channels)", path,
                                          "synth", "\(seconds)", "sine", "\(hz)", "vol", "0.3"])
        guard sox.waitForExit() == 0 else { throw SoxFailed() }
    }

    /// The caller's (600 Hz) and the agent's (1 kHz) 3 s tones the PJSIP call scripts play, in `directory`.
    package static func writeCallTones(in directory: String) throws {
        try writeTone(directory + "/agent.wav", hz: 1000, seconds: 3)
        try writeTone(directory + "/caller.wav", hz: 600, seconds: 3)
    }

    package static func read(_ path: String) throws -> [Int16] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Find the "data" chunk.
        var offset = 12
        while offset + 8 <= data.count {
            let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
            let size = Int(data[offset + 4]) | Int(data[offset + 5]) << 8 | Int(data[offset + 6]) << 16 | Int(data[offset + 7]) << 24
            if id == "data" {
                // A recorder still writing has not set the size yet (0): read to the end of the file.
                let end = size == 0 ? data.count : min(data.count, offset + 8 + size)
                let body = data[(offset + 8)..<end]
                return stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map { Int16(bitPattern: UInt16(body[$0]) | UInt16(body[$0 + 1]) << 8) }
            }
            offset += 8 + size
        }
        return []
    }

    package static func frequency(_ samples: [Int16]) -> Double {
        guard samples.count > 1 else { return 0 }
        var crossings = 0
        for i in 1..<samples.count where (samples[i - 1] < 0) != (samples[i] < 0) { crossings += 1 }
        return Double(crossings) / 2 / (Double(samples.count) / 8000)
    }
}
