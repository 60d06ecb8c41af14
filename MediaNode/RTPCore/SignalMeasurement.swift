import Foundation

/// Measurements on linear audio: level and dominant frequency (used by tests and quality checks).
public enum SignalMeasurement {
    /// RMS level in dB relative to a full-scale sine (dBov ≈ dBm0 − 3.14).
    public static func rmsDBov(_ samples: [Int16]) -> Double {
        guard !samples.isEmpty else { return -.infinity }
        var sum = 0.0
        for s in samples { sum += Double(s) * Double(s) }
        let rms = (sum / Double(samples.count)).squareRoot()
        return 20 * log10(max(rms, 1e-9) / (32767 / 2.0.squareRoot()))
    }

    /// Level in dBm0 of a signal's RMS (0 dBm0 sine has peak ≈ 22 710).
    public static func rmsDBm0(_ samples: [Int16]) -> Double {
        rmsDBov(samples) + 20 * log10(32767 / amplitudeFor(dBm0: 0))
    }

    /// Dominant frequency estimated from the mean zero-crossing interval with linear interpolation.
    public static func zeroCrossingFrequency(_ samples: [Int16], sampleRate: Double = 8000) -> Double {
        var crossings: [Double] = []
        for i in 1..<samples.count where samples[i - 1] < 0 && samples[i] >= 0 {
            let a = Double(samples[i - 1])
            let b = Double(samples[i])
            crossings.append(Double(i - 1) + (-a) / (b - a))
        }
        guard crossings.count >= 2 else { return 0 }
        return sampleRate * Double(crossings.count - 1) / (crossings.last! - crossings.first!)
    }
}
