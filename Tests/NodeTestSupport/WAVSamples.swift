import Foundation

/// Minimal PCM16 WAV reading and frequency estimate (zero crossings) for the recordings.
package enum WAVSamples {
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
