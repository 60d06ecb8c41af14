import Testing
@testable import RTPCore

@Suite struct RTPReceiveStatisticsTests {
    @Test func countsLossAcrossSequenceWrap() {
        var stats = RTPReceiveStatistics()
        var seq: UInt16 = 65500
        var sent = 0
        for i in 0..<100 {
            if i % 10 != 3 {  // lose every tenth
                stats.record(sequence: seq, timestamp: UInt32(i * 160), arrival: UInt32(i * 160))
            }
            seq &+= 1
            sent += 1
        }
        #expect(stats.expected == 100)
        #expect(stats.received == 90)
        #expect(stats.cumulativeLost == 10)
        #expect(stats.extendedHighestSequence == 0x1_0000 + UInt32(seq &- 1))
        let block = stats.makeReportBlock(ssrc: 5)
        #expect(block.fractionLost == UInt8((10 << 8) / 100))
        #expect(block.cumulativeLost == 10)
        // Next interval without loss reports fraction 0.
        for i in 100..<150 { stats.record(sequence: seq, timestamp: UInt32(i * 160), arrival: UInt32(i * 160)); seq &+= 1 }
        #expect(stats.makeReportBlock(ssrc: 5).fractionLost == 0)
    }

    @Test func reorderedAndDuplicatePacketsDoNotCountAsLoss() {
        var stats = RTPReceiveStatistics()
        for s: UInt16 in [1, 2, 4, 3, 5, 5, 6] { stats.record(sequence: s, timestamp: UInt32(s) * 160, arrival: UInt32(s) * 160) }
        #expect(stats.expected == 6)
        #expect(stats.cumulativeLost == -1)  // one duplicate (RFC 3550 A.3 allows negative)
        #expect(stats.lossRatio == 0)
    }

    @Test func jitterConvergesToMeanAbsoluteTransitDifference() {
        // Arrivals alternate early/late by 40 timestamp units: |D| = 80 every packet.
        var stats = RTPReceiveStatistics()
        for i in 0..<500 {
            let ts = UInt32(i * 160)
            stats.record(sequence: UInt16(i), timestamp: ts, arrival: ts + 1000 + (i % 2 == 0 ? 40 : 0) - (i % 2 == 0 ? 0 : 40))
        }
        #expect(abs(stats.jitter - 80) < 1)
    }

    @Test func largeJumpNeedsConfirmationThenRestarts() {
        var stats = RTPReceiveStatistics()
        for s: UInt16 in 0..<10 { stats.record(sequence: s, timestamp: 0, arrival: 0) }
        let jump = stats.record(sequence: 40000, timestamp: 0, arrival: 0)
        #expect(!jump)
        let confirmed = stats.record(sequence: 40001, timestamp: 0, arrival: 0)
        #expect(confirmed)
        #expect(stats.expected == 1)
        #expect(stats.received == 1)
    }
}

@Suite struct EModelTests {
    @Test func cleanG711CallScoresNearTheCodecCeiling() {
        let mos = EModel.mos(oneWayDelayMs: 20, jitterMs: 2, lossRatio: 0)
        #expect(mos > 4.3 && mos < 4.5)
    }

    @Test func lossDelayAndJitterLowerTheScoreMonotonically() {
        let losses = [0.0, 0.01, 0.03, 0.05, 0.10, 0.20].map { EModel.mos(oneWayDelayMs: 20, jitterMs: 2, lossRatio: $0) }
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 })
        #expect(EModel.mos(oneWayDelayMs: 300, jitterMs: 2, lossRatio: 0) < EModel.mos(oneWayDelayMs: 100, jitterMs: 2, lossRatio: 0))
        #expect(EModel.mos(oneWayDelayMs: 20, jitterMs: 60, lossRatio: 0) < EModel.mos(oneWayDelayMs: 20, jitterMs: 5, lossRatio: 0))
        // G.107 Annex B: R = 50 → MOS 2.58 (formula check), R = 0 → 1.
        #expect(abs(EModel.mos(rFactor: 50) - 2.575) < 0.001)
        #expect(EModel.mos(rFactor: 0) == 1)
    }
}
