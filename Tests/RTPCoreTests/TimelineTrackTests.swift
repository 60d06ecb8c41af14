import Testing
@testable import RTPCore

@Suite struct TimelineTrackTests {
    func frame(_ value: Int16) -> [Int16] { [Int16](repeating: value, count: 160) }

    @Test func placesPacketsByTimestampNotArrival() {
        var track = TimelineTrack()
        // Three packets sent 20 ms apart arrive in one burst 100 ms late, out of order.
        track.insert(ssrc: 1, timestamp: 1000, samples: frame(1), arrival: 800)
        track.insert(ssrc: 1, timestamp: 1320, samples: frame(3), arrival: 1600)
        track.insert(ssrc: 1, timestamp: 1160, samples: frame(2), arrival: 1600)
        let out = track.take(upTo: 800 + 480 + 160)
        #expect(Array(out[0..<800]) == [Int16](repeating: 0, count: 800))
        #expect(Array(out[800..<960]) == frame(1))
        #expect(Array(out[960..<1120]) == frame(2))
        #expect(Array(out[1120..<1280]) == frame(3))
        #expect(Array(out[1280...]) == [Int16](repeating: 0, count: 160))
    }

    @Test func lateAudioIsDroppedAndNewSourceReanchors() {
        var track = TimelineTrack()
        track.insert(ssrc: 1, timestamp: 0, samples: frame(1), arrival: 0)
        _ = track.take(upTo: 400)
        track.insert(ssrc: 1, timestamp: 160, samples: frame(2), arrival: 500)  // position 160 < head 400
        #expect(track.lateSamples == 160)
        track.insert(ssrc: 2, timestamp: 99_999, samples: frame(3), arrival: 480)
        let out = track.take(upTo: 640)
        #expect(Array(out[0..<80]) == [Int16](repeating: 0, count: 80))
        #expect(Array(out[80..<240]) == frame(3))
    }

    @Test func driftBeyondLimitReanchors() {
        var track = TimelineTrack(reanchorLimit: 800)
        track.insert(ssrc: 1, timestamp: 0, samples: frame(1), arrival: 0)
        // The sender jumps its timestamp by 10 s: placed at arrival, not 10 s ahead.
        track.insert(ssrc: 1, timestamp: 80_000, samples: frame(2), arrival: 160)
        #expect(track.end == 320)
    }
}
