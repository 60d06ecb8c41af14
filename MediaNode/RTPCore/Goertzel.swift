/// The Goertzel algorithm: signal power at one frequency over a block of samples.
public struct Goertzel: Sendable, Hashable {
    /// 2·cos(2πf/fs).
    public let coefficient: Double
    public let frequency: Double

    public init(frequency: Double, sampleRate: Double = 8000) {
        self.frequency = frequency
        self.coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
    }

    /// Squared magnitude |X(f)|² of `samples` (not normalised).
    @inlinable
    public func power(_ samples: UnsafeBufferPointer<Float>) -> Double {
        var s1: Float = 0
        var s2: Float = 0
        let c = Float(coefficient)
        for x in samples {
            let s0 = x + c * s1 - s2
            s2 = s1
            s1 = s0
        }
        return Double(s1 * s1 + s2 * s2 - c * s1 * s2)
    }

    /// Amplitude of a sine at this frequency in `samples` (peak units of the input).
    public func amplitude(_ samples: [Float]) -> Double {
        let p = samples.withUnsafeBufferPointer { power($0) }
        return 2 * p.squareRoot() / Double(samples.count)
    }
}

import Foundation
