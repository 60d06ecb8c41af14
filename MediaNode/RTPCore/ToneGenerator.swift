import Foundation

/// A call-progress tone: one or two frequencies and an on/off cadence (ITU-T E.180).
public struct Tone: Sendable, Hashable {
    /// Frequencies summed, Hz.
    public var frequencies: [Double]
    /// Level of each frequency component, dBm0.
    public var levelDBm0: Double
    /// Alternating on/off durations in ms; empty means continuous.
    public var cadenceMs: [Int]
    /// Whether the cadence repeats; otherwise the tone plays once then stays silent.
    public var repeats: Bool

    public init(frequencies: [Double], levelDBm0: Double = -13, cadenceMs: [Int] = [], repeats: Bool = true) {
        self.frequencies = frequencies
        self.levelDBm0 = levelDBm0
        self.cadenceMs = cadenceMs
        self.repeats = repeats
    }

    /// A short single beep (e.g. before recording or at the end of a prompt).
    public static func beep(frequency: Double = 1000, durationMs: Int = 200) -> Tone {
        Tone(frequencies: [frequency], levelDBm0: -10, cadenceMs: [durationMs, 0], repeats: false)
    }
}

/// National tone plans (ITU-T E.180 Supplement 2).
public enum TonePlan: String, Sendable, CaseIterable {
    /// China: 450 Hz everywhere (YD/T 1.03).
    case china
    /// North America: precise tone plan (ANSI T1.401).
    case northAmerica

    public var dial: Tone {
        switch self {
        case .china: Tone(frequencies: [450], levelDBm0: -10)
        case .northAmerica: Tone(frequencies: [350, 440], levelDBm0: -13)
        }
    }

    public var ringback: Tone {
        switch self {
        case .china: Tone(frequencies: [450], levelDBm0: -10, cadenceMs: [1000, 4000])
        case .northAmerica: Tone(frequencies: [440, 480], levelDBm0: -19, cadenceMs: [2000, 4000])
        }
    }

    public var busy: Tone {
        switch self {
        case .china: Tone(frequencies: [450], levelDBm0: -10, cadenceMs: [350, 350])
        case .northAmerica: Tone(frequencies: [480, 620], levelDBm0: -24, cadenceMs: [500, 500])
        }
    }

    public var congestion: Tone {
        switch self {
        case .china: Tone(frequencies: [450], levelDBm0: -10, cadenceMs: [700, 700])
        case .northAmerica: Tone(frequencies: [480, 620], levelDBm0: -24, cadenceMs: [250, 250])
        }
    }
}

/// Generates a tone as 8 kHz linear samples with continuous phase across calls.
public struct ToneGenerator: Sendable {
    public let tone: Tone
    public let sampleRate: Double
    private var phases: [Double]
    private var position = 0  // samples since start
    private let period: Int
    private let boundaries: [Int]

    public init(tone: Tone, sampleRate: Double = 8000) {
        self.tone = tone
        self.sampleRate = sampleRate
        phases = tone.frequencies.map { _ in 0 }
        let samplesPerMs = Int(sampleRate) / 1000
        boundaries = tone.cadenceMs.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1 * samplesPerMs) }
        period = boundaries.last ?? 0
    }

    /// Whether the cadence is in an "on" interval at sample `index`.
    private func isOn(_ index: Int) -> Bool {
        guard period > 0 else { return true }
        if !tone.repeats, index >= period { return false }
        let t = index % period
        let slot = boundaries.firstIndex { t < $0 } ?? 0
        return slot % 2 == 0
    }

    /// The next `count` samples.
    public mutating func next(_ count: Int) -> [Int16] {
        let amplitude = amplitudeFor(dBm0: tone.levelDBm0)
        let steps = tone.frequencies.map { 2 * Double.pi * $0 / sampleRate }
        var out = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            var value = 0.0
            let on = isOn(position)
            for k in phases.indices {
                if on { value += sin(phases[k]) }
                phases[k] = (phases[k] + steps[k]).truncatingRemainder(dividingBy: 2 * Double.pi)
            }
            out[i] = Int16(clamping: Int((value * amplitude).rounded()))
            position += 1
        }
        return out
    }
}
