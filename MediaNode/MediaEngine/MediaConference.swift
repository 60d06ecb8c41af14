import NIOConcurrencyHelpers
import NIOCore
import RTPCore

/// N-party mixing with directional roles: 3-way calls and supervisor monitor / whisper / barge.
///
/// Each member's inbound audio goes through a jitter buffer; every 20 ms the mixer pops one
/// frame per member and sends each member the sum of what its role lets it hear.
public final class MediaConference: Sendable {
    private let engine: MediaEngine
    let state: NIOLoopBound<ConferenceState>
    private let loop: any EventLoop
    private let members = NIOLockedValueBox<[UInt32: MediaLeg]>([:])
    private let tapID = UInt32.random(in: 1...UInt32.max)

    init(engine: MediaEngine, loop: any EventLoop) async throws {
        self.engine = engine
        self.loop = loop
        let depth = engine.configuration.jitterBufferDepth
        self.state = try await loop.submit { NIOLoopBound(ConferenceState(loop: loop, depth: depth), eventLoop: loop) }.get()
    }

    /// Adds a leg (or changes its role). The leg stops relaying to any bridge peer and hears the mix.
    public func add(_ leg: MediaLeg, role: ConferenceRole = .participant) async throws {
        let state = self.state
        members.withLockedValue { $0[leg.id] = leg }
        let legState = leg.state
        let id = leg.id
        try await loop.submit { state.value.add(id, role: role, leg: legState) }.get()
        try await leg.run { [tapID] s in
            s.relayInbound = false
            s.conferenceFed = true
            s.taps[tapID] = { frame in
                onLoop(state.eventLoop) { state.value.push(id, sequence: frame.sequence, samples: frame.samples) }
            }
        }
    }

    /// Changes a member's role (e.g. monitor → whisper → barge).
    public func setRole(_ leg: MediaLeg, _ role: ConferenceRole) async throws {
        let state = self.state
        let id = leg.id
        try await loop.submit { state.value.mix.set(id, role: role) }.get()
    }

    /// Removes a leg; it keeps its socket and can be bridged again.
    public func remove(_ leg: MediaLeg) async throws {
        let state = self.state
        members.withLockedValue { $0[leg.id] = nil }
        let id = leg.id
        try await loop.submit { state.value.remove(id) }.get()
        try await leg.run { [tapID] s in
            s.taps[tapID] = nil
            s.conferenceFed = false
            s.relayInbound = true
        }
    }

    /// Removes everyone and stops mixing.
    public func close() async throws {
        for leg in members.withLockedValue({ Array($0.values) }) { try await remove(leg) }
    }
}

/// Loop-confined mixer state.
final class ConferenceState {
    let loop: any EventLoop
    let depth: Int
    var mix = ConferenceMix()
    var buffers: [UInt32: JitterBuffer<[Int16]>] = [:]
    var legs: [UInt32: NIOLoopBound<LegState>] = [:]
    var timestamps: [UInt32: UInt32] = [:]
    private var ticker: PacedTicker?
    private let sourceID = UInt32.random(in: 1...0xFFFF)

    init(loop: any EventLoop, depth: Int) {
        self.loop = loop
        self.depth = depth
    }

    func add(_ id: UInt32, role: ConferenceRole, leg: NIOLoopBound<LegState>) {
        mix.set(id, role: role)
        if buffers[id] == nil { buffers[id] = JitterBuffer(depth: depth) }
        legs[id] = leg
        if ticker == nil {
            let t = PacedTicker(loop: loop, interval: .milliseconds(20)) { [unowned self] in tick() }
            ticker = t
            t.start()
        }
    }

    func remove(_ id: UInt32) {
        mix.remove(id)
        buffers[id] = nil
        legs[id] = nil
        if legs.isEmpty {
            ticker?.stop()
            ticker = nil
        }
    }

    func push(_ id: UInt32, sequence: UInt16, samples: [Int16]) {
        buffers[id]?.insert(sequence: sequence, frame: samples)
    }

    private func tick() {
        var frames: [UInt32: [Int16]] = [:]
        for id in buffers.keys {
            if case .frame(let f) = buffers[id]!.pop() { frames[id] = f }
        }
        let out = mix.mix(frames)
        let source = OutgoingRTPStream.Source.local(0xC0_0000 | sourceID)
        for (id, samples) in out {
            guard let leg = legs[id] else { continue }
            let ts = timestamps[id, default: 0]
            timestamps[id] = ts &+ 160
            onLoop(leg.eventLoop) { leg.value.sendFrame(samples, source: source, inputTimestamp: ts, fromMixer: true) }
        }
    }
}
