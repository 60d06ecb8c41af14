import Foundation

/// Band-limited sample-rate conversion with a Hann-windowed sinc (used when loading prompts).
public enum Resampler {
    /// Converts `input` at `from` Hz to `to` Hz, low-passing at 90% of the lower Nyquist.
    public static func resample(_ input: [Int16], from: Int, to: Int, halfWidth: Int = 16) -> [Int16] {
        guard from != to, !input.isEmpty else { return input }
        let ratio = Double(from) / Double(to)
        let scale = min(1, Double(to) / Double(from))
        let cutoff = 0.9 * 0.5 * scale  // cycles per input sample
        let width = Double(halfWidth) / scale  // taps each side in input samples
        let outputCount = Int((Double(input.count) / ratio).rounded(.down))
        var output = [Int16](repeating: 0, count: outputCount)
        for n in 0..<outputCount {
            let t = Double(n) * ratio
            let first = max(0, Int((t - width).rounded(.up)))
            let last = min(input.count - 1, Int((t + width).rounded(.down)))
            var sum = 0.0
            if first <= last {
                for k in first...last {
                    let x = t - Double(k)
                    let arg = 2 * cutoff * x
                    let sinc = arg == 0 ? 1 : sin(Double.pi * arg) / (Double.pi * arg)
                    let window = 0.5 + 0.5 * cos(Double.pi * x / width)
                    sum += Double(input[k]) * 2 * cutoff * sinc * window
                }
            }
            output[n] = Int16(clamping: Int(sum.rounded()))
        }
        return output
    }
}
