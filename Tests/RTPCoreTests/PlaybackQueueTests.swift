import Testing
@testable import RTPCore

/// Playback lists cut into frames (issue 14): music on hold loops for as long as it plays.
@Suite(.tags(.unit)) struct PlaybackQueueTests {
    /// The node's default music on hold ends exactly on a frame boundary (400 + 2600 ms). Before,
    /// the queue returned nil once its last item was used up, so the music played once and stopped:
    /// a held party heard one burst, then silence.
    @Test("a looping list whose length is a whole number of frames plays again and again")
    func loopsOnAFrameBoundary() {
        var queue = PlaybackQueue(items: [.tone(Tone(frequencies: [440], levelDBm0: -20), durationMs: 40), .silence(durationMs: 20)],
                                  loops: true, frameSize: 160)
        let frames = (0..<30).map { _ in queue.nextFrame() }
        #expect(frames.allSatisfy { $0?.count == 160 })
        let loud = frames.map { ($0 ?? []).contains { $0 != 0 } }
        #expect(loud == Array(repeating: [true, true, false], count: 10).flatMap { $0 }, "\(loud)")
        #expect(!queue.isFinished)
    }

    @Test("a list that does not loop ends after its last frame; a looping list of empty items gives nothing")
    func endsWithoutLoop() {
        var once = PlaybackQueue(items: [.silence(durationMs: 40)], loops: false, frameSize: 160)
        #expect(once.nextFrame()?.count == 160 && once.nextFrame()?.count == 160)
        #expect(once.nextFrame() == nil && once.isFinished)
        var empty = PlaybackQueue(items: [.silence(durationMs: 0), .audio(PromptAudio(samples: []))], loops: true)
        #expect(empty.nextFrame() == nil)
        var unaligned = PlaybackQueue(items: [.silence(durationMs: 30)], loops: true, frameSize: 160)
        #expect((0..<10).allSatisfy { _ in unaligned.nextFrame()?.count == 160 })
    }
}
