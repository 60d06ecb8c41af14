/// In-band DTMF detection (Goertzel) following ITU-T Q.24 practice.
///
/// Every `hop` samples the last `blockSize` samples are Hann-windowed and analysed at the eight Q.23
/// frequencies and at probes ±`probeOffset` around each. A block holds a digit when:
/// one row and one column tone stand out by `minimumPeakRatioDB` over the rest of their group,
/// each tone is nearer its nominal frequency than a probe (accepts ±1.5%, rejects ±3.5%),
/// twist is within limits, levels are above `minimumLevelDBm0`, and the two tones carry most
/// of the block's energy (speech and music fail here). A digit begins after
/// `blocksToBegin` consecutive hits (≈36 ms of tone) and ends after `blocksToEnd` misses.
public struct InBandDTMFDetector: Sendable {
    /// Detector limits; defaults follow Q.24 and common practice.
    public struct Configuration: Sendable, Hashable {
        public var blockSize = 205
        public var hop = 80
        /// Relative offset of the off-frequency probes; the decision boundary is half of it (2.5%).
        public var probeOffset = 0.05
        public var minimumLevelDBm0 = -30.0
        /// High group may be this much weaker than low group (normal twist).
        public var maxHighBelowLowDB = 8.0
        /// High group may be this much stronger than low group (reverse twist).
        public var maxHighAboveLowDB = 4.0
        public var minimumPeakRatioDB = 8.0
        /// Share of block energy the two tones must carry.
        public var minimumToneEnergyShare = 0.7
        public var blocksToBegin = 2
        public var blocksToEnd = 2
        public init() {}
    }

    public let configuration: Configuration
    private let nominal: [Goertzel]
    private let below: [Goertzel]
    private let above: [Goertzel]
    private var window: [Float]
    private let hann: [Float]
    private var filled = 0
    private var sinceLast = 0
    private var sampleIndex: UInt32 = 0
    private var candidate: DTMFDigit?
    private var hits = 0
    private var misses = 0
    private var active: (digit: DTMFDigit, start: UInt32)?

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        let freqs = DTMFDigit.lowGroup + DTMFDigit.highGroup
        nominal = freqs.map { Goertzel(frequency: $0) }
        below = freqs.map { Goertzel(frequency: $0 * (1 - configuration.probeOffset)) }
        above = freqs.map { Goertzel(frequency: $0 * (1 + configuration.probeOffset)) }
        window = Array(repeating: 0, count: configuration.blockSize)
        let n = configuration.blockSize
        hann = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n - 1))) }
    }

    /// Feeds 8 kHz linear samples; returns digits that began or ended within them.
    public mutating func process(_ samples: [Int16]) -> [DTMFEvent] {
        var events: [DTMFEvent] = []
        let n = configuration.blockSize
        for sample in samples {
            window[filled % n] = Float(sample)
            filled += 1
            sampleIndex &+= 1
            sinceLast += 1
            if filled >= n, sinceLast >= configuration.hop {
                sinceLast = 0
                events.append(contentsOf: step(analyse()))
            }
        }
        return events
    }

    /// Ends a digit still held when the stream stops.
    public mutating func flush() -> [DTMFEvent] {
        guard let active else { return [] }
        self.active = nil
        return [.ended(active.digit, duration: sampleIndex &- active.start)]
    }

    private mutating func step(_ detected: DTMFDigit?) -> [DTMFEvent] {
        if let active {
            if detected == active.digit {
                misses = 0
                return []
            }
            misses += 1
            guard misses >= configuration.blocksToEnd else { return [] }
            self.active = nil
            misses = 0
            hits = 0
            candidate = nil
            let endIndex = sampleIndex &- UInt32(configuration.hop * configuration.blocksToEnd)
            return [.ended(active.digit, duration: endIndex &- active.start)]
        }
        guard let detected else {
            candidate = nil
            hits = 0
            return []
        }
        if detected == candidate { hits += 1 } else {
            candidate = detected
            hits = 1
        }
        guard hits >= configuration.blocksToBegin else { return [] }
        let start = sampleIndex &- UInt32(configuration.blockSize + configuration.hop * (hits - 1))
        active = (detected, start)
        misses = 0
        return [.began(detected, timestamp: start)]
    }

    private func analyse() -> DTMFDigit? {
        let n = configuration.blockSize
        // Unroll the ring buffer into time order.
        let start = filled % n
        var block = [Float](repeating: 0, count: n)
        for i in 0..<n { block[i] = window[(start + i) % n] * hann[i] }
        var total: Double = 0
        for x in block { total += Double(x) * Double(x) }
        guard total > 0 else { return nil }
        return block.withUnsafeBufferPointer { samples -> DTMFDigit? in
            let powers = nominal.map { $0.power(samples) }
            guard let row = strongest(powers, in: 0..<4), let column = strongest(powers, in: 4..<8) else { return nil }
            let rowPower = powers[row]
            let columnPower = powers[column]
            // Level: a Hann-windowed sine of amplitude A gives power (A·N/4)².
            let floor = amplitudeFor(dBm0: configuration.minimumLevelDBm0) * Double(n) / 4
            guard rowPower >= floor * floor, columnPower >= floor * floor else { return nil }
            // Twist (Q.24): high-group level relative to low-group level.
            let twist = 10 * log10(columnPower / rowPower)
            guard twist >= -configuration.maxHighBelowLowDB, twist <= configuration.maxHighAboveLowDB else { return nil }
            // Frequency deviation: the nominal bin must beat both probes.
            for index in [row, column] {
                let p = powers[index]
                if below[index].power(samples) > p || above[index].power(samples) > p { return nil }
            }
            // Energy share: a Hann-windowed bin-centred sine has Σ(wx)² = (3/N)·|X|².
            let toneEnergy = 3 * (rowPower + columnPower) / Double(n)
            guard toneEnergy >= configuration.minimumToneEnergyShare * total else { return nil }
            return DTMFDigit.at(row: row, column: column - 4)
        }
    }

    private func strongest(_ powers: [Double], in range: Range<Int>) -> Int? {
        let sorted = range.sorted { powers[$0] > powers[$1] }
        let best = sorted[0]
        let ratio = pow(10, configuration.minimumPeakRatioDB / 10)
        for other in sorted.dropFirst() where powers[other] * ratio > powers[best] { return nil }
        return best
    }
}

/// Peak amplitude (16-bit linear) of a sine at `dBm0` (G.711: 0 dBm0 ≈ 3.14 dB below full scale).
public func amplitudeFor(dBm0: Double) -> Double {
    22_710 * pow(10, dBm0 / 20)
}

import Foundation
