import Testing
@testable import RTPCore

@Suite struct ToneGeneratorTests {
    @Test func chinaRingbackIs450HzOneSecondOnFourOff() {
        var generator = ToneGenerator(tone: TonePlan.china.ringback)
        let on = generator.next(8000)
        let off = generator.next(32000)
        let nextOn = generator.next(800)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(on) - 450) < 1)
        #expect(abs(SignalMeasurement.rmsDBm0(on) - (-10)) < 0.2)
        #expect(off.allSatisfy { $0 == 0 })
        #expect(SignalMeasurement.rmsDBm0(nextOn) > -11)
    }

    @Test func northAmericaRingbackHas440And480AtEqualLevel() {
        var generator = ToneGenerator(tone: TonePlan.northAmerica.ringback)
        let samples = generator.next(8000).map(Float.init)
        let a440 = Goertzel(frequency: 440).amplitude(samples)
        let a480 = Goertzel(frequency: 480).amplitude(samples)
        let a450 = Goertzel(frequency: 620).amplitude(samples)
        let expected = amplitudeFor(dBm0: -19)
        #expect(abs(a440 - expected) / expected < 0.02)
        #expect(abs(a480 - expected) / expected < 0.02)
        #expect(a450 < expected * 0.02)
        // Second half of the 6 s cadence is silent.
        _ = generator.next(8000)
        #expect(generator.next(32000).allSatisfy { $0 == 0 })
    }

    /// The generated 1 kHz beep matches sox's own sine of the same level within G.711 precision.
    @Test func beepMatchesSoxSineLevelAndFrequency() throws {
        var generator = ToneGenerator(tone: .beep(frequency: 1000, durationMs: 200))
        let ours = generator.next(1600)
        let gain = amplitudeFor(dBm0: -10) / 32767
        let reference = try Sox.dualTone(1000, 1000, gain1: gain, gain2: 0, seconds: 0.2)
        #expect(abs(SignalMeasurement.rmsDBm0(ours) - SignalMeasurement.rmsDBm0(reference)) < 0.05)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(ours) - SignalMeasurement.zeroCrossingFrequency(reference)) < 0.5)
        #expect(generator.next(1600).allSatisfy { $0 == 0 })  // plays once
    }

    @Test func busyCadences() {
        var china = ToneGenerator(tone: TonePlan.china.busy)
        let first = china.next(2800)  // 350 ms on
        #expect(first.contains { $0 != 0 })
        #expect(china.next(2800).allSatisfy { $0 == 0 })
        var na = ToneGenerator(tone: TonePlan.northAmerica.busy)
        _ = na.next(4000)
        #expect(na.next(4000).allSatisfy { $0 == 0 })
    }
}

@Suite struct JitterBufferTests {
    @Test func reordersAndReportsGaps() {
        var buffer = JitterBuffer<Int>(depth: 3)
        guard case .buffering = buffer.pop() else { Issue.record("should buffer"); return }
        for s: UInt16 in [65534, 0, 65535] { buffer.insert(sequence: s, frame: Int(s)) }
        // 1 lost, 2 arrives
        buffer.insert(sequence: 2, frame: 2)
        var out: [Int?] = []
        for _ in 0..<5 {
            switch buffer.pop() {
            case .frame(let f): out.append(f)
            case .missing: out.append(nil)
            case .buffering: out.append(-1)
            }
        }
        #expect(out == [65534, 65535, 0, nil, 2])
    }

    @Test func lateAndDuplicateFramesAreDiscarded() {
        var buffer = JitterBuffer<Int>(depth: 1)
        buffer.insert(sequence: 10, frame: 10)
        _ = buffer.pop()
        let late = buffer.insert(sequence: 10, frame: 10)
        #expect(!late)
        buffer.insert(sequence: 11, frame: 11)
        let duplicate = buffer.insert(sequence: 11, frame: 11)
        #expect(!duplicate)
        #expect(buffer.discarded == 2)
    }

    @Test func resynchronisesAfterSenderJump() {
        var buffer = JitterBuffer<Int>(depth: 1, capacity: 10)
        buffer.insert(sequence: 1, frame: 1)
        buffer.insert(sequence: 500, frame: 500)
        guard case .frame(let f) = buffer.pop() else { Issue.record("expected frame"); return }
        #expect(f == 500)
    }
}
