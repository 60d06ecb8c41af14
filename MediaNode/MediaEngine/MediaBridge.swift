import NIOCore
import RTPCore

/// Two legs that hear each other, with hold/music and recording.
///
/// Relaying rewrites each packet's header for the receiving leg's own stream (RFC 3550
/// §5.1 continuity; marker bit on source changes) and sends it from the loop it arrived on.
public final class MediaBridge: Sendable {
    public let a: MediaLeg
    public let b: MediaLeg
    private let engine: MediaEngine

    init(engine: MediaEngine, a: MediaLeg, b: MediaLeg) {
        self.engine = engine
        self.a = a
        self.b = b
    }

    func connect() async throws {
        let sameLoop = a.eventLoop === b.eventLoop
        let (stateA, stateB) = (a.state, b.state)
        try await a.run { state in
            state.peer = stateB
            state.peerOnSameLoop = sameLoop
            state.relayInbound = true
        }
        try await b.run { state in
            state.peer = stateA
            state.peerOnSameLoop = sameLoop
            state.relayInbound = true
        }
    }

    /// Disconnects the two legs (each keeps its socket; play to them or bridge them elsewhere).
    public func unbridge() async throws {
        for leg in [a, b] { try await leg.run { $0.peer = nil } }
    }

    /// Puts `leg` on hold: it hears `music` (looped) and the other party hears nothing.
    public func hold(_ leg: MediaLeg, music: [PlaybackItem]) async throws {
        let other = leg === a ? b : a
        try await other.run { $0.relayInbound = false }
        try await leg.run { state in
            state.relayInbound = false
            _ = state.play(music, loops: true, bargeIn: false)
        }
    }

    /// Takes `leg` off hold: music stops and both parties hear each other again.
    public func resume(_ leg: MediaLeg) async throws {
        let other = leg === a ? b : a
        try await leg.run { state in
            state.stopPlayback()
            state.relayInbound = true
        }
        try await other.run { $0.relayInbound = true }
    }

    /// Records the call: stereo puts `a` left and `b` right; mono mixes both.
    public func record(to path: String, layout: RecordingLayout = .stereo) async throws -> CallRecording {
        try await CallRecording.start(path: path, layout: layout, left: a, right: b, jitterDepth: engine.configuration.jitterBufferDepth)
    }
}
