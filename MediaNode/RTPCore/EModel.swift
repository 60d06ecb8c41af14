/// Conversational quality estimate with the ITU-T G.107 E-model, reduced to the
/// impairments a media node can observe: one-way delay, jitter and packet loss.
public enum EModel {
    /// Transmission rating R (G.107 §7): R = 93.2 − Id − Ie,eff.
    /// - Parameters:
    ///   - oneWayDelayMs: network one-way delay (RTT/2 when only RTCP is known).
    ///   - jitterMs: interarrival jitter; counted twice as jitter-buffer delay.
    ///   - lossRatio: packet loss 0…1, treated as random (BurstR = 1).
    ///   - packetLossRobustness: Bpl; G.113 App. I gives 4.3 for G.711 without PLC, 25.1 with PLC.
    public static func rFactor(oneWayDelayMs: Double, jitterMs: Double, lossRatio: Double, packetLossRobustness: Double = 25.1) -> Double {
        // Mouth-to-ear delay: network + jitter buffer + 20 ms packetization + ~10 ms processing.
        let delay = oneWayDelayMs + 2 * jitterMs + 30
        var id = 0.024 * delay
        if delay > 177.3 { id += 0.11 * (delay - 177.3) }  // G.107 simplified Idd
        let ppl = min(max(lossRatio, 0), 1) * 100
        let ieEff = 0 + (95 - 0) * ppl / (ppl + packetLossRobustness)  // Ie = 0 for G.711 (G.113)
        return max(0, min(93.2, 93.2 - id - ieEff))
    }

    /// Mean opinion score from R (G.107 Annex B, eq. B-4).
    public static func mos(rFactor r: Double) -> Double {
        if r <= 0 { return 1 }
        if r >= 100 { return 4.5 }
        return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
    }

    /// MOS directly from observed delay, jitter and loss.
    public static func mos(oneWayDelayMs: Double, jitterMs: Double, lossRatio: Double) -> Double {
        mos(rFactor: rFactor(oneWayDelayMs: oneWayDelayMs, jitterMs: jitterMs, lossRatio: lossRatio))
    }
}
