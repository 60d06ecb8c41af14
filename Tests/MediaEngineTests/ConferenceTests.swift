import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// Caller (1000 Hz), agent (600 Hz) and supervisor (1400 Hz) in one conference.
@Suite(.serialized) struct ConferenceTests {
    struct Heard: Equatable, CustomStringConvertible {
        var tones: Set<Int>
        var description: String { "\(tones.sorted())" }
    }

    /// Which of the three tones a peer received in packets `from...`.
    func heard(_ peer: RTPTestPeer, from start: Int) -> Heard {
        let packets = Array(peer.packets.dropFirst(start + 10).dropLast(5))
        let audio = packets.flatMap { AudioEncoding.ulaw.decode(Array($0.payload.readableBytesView)) }.map(Float.init)
        var tones: Set<Int> = []
        for f in [600, 1000, 1400] where Goertzel(frequency: Double(f)).amplitude(audio) > amplitudeFor(dBm0: -25) {
            tones.insert(f)
        }
        return Heard(tones: tones)
    }

    @Test func monitorWhisperAndBargeRouteAudioByRole() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let supervisor = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer())
        let (legB, _) = try await engine.answer(offer: agent.offer(), colocatedWith: legA)
        let (legS, _) = try await engine.answer(offer: supervisor.offer(), colocatedWith: legA)
        let conference = try await engine.conference(colocatedWith: legA)
        try await conference.add(legA)
        try await conference.add(legB)
        try await conference.add(legS, role: .monitor)

        var phase = 0
        func talk() async throws -> (Heard, Heard, Heard) {
            let starts = (caller.packets.count, agent.packets.count, supervisor.packets.count)
            let base = UInt16(phase * 50)
            phase += 1
            async let a: Void = caller.stream(toneSamples(1000, ms: 800, dBm0: -12), to: legA.localPort, firstSequence: base, firstTimestamp: UInt32(base) * 160)
            async let b: Void = agent.stream(toneSamples(600, ms: 800, dBm0: -12), to: legB.localPort, firstSequence: base, firstTimestamp: UInt32(base) * 160)
            async let s: Void = supervisor.stream(toneSamples(1400, ms: 800, dBm0: -12), to: legS.localPort, firstSequence: base, firstTimestamp: UInt32(base) * 160)
            _ = try await (a, b, s)
            return (heard(caller, from: starts.0), heard(agent, from: starts.1), heard(supervisor, from: starts.2))
        }

        // Monitor: the supervisor hears both, nobody hears the supervisor.
        var (a, b, s) = try await talk()
        #expect(a == Heard(tones: [600]))
        #expect(b == Heard(tones: [1000]))
        #expect(s == Heard(tones: [600, 1000]))

        // Whisper to the agent: only the agent hears the supervisor.
        try await conference.setRole(legS, .whisper(target: legB.id))
        (a, b, s) = try await talk()
        #expect(a == Heard(tones: [600]))
        #expect(b == Heard(tones: [1000, 1400]))
        #expect(s == Heard(tones: [600, 1000]))

        // Barge: everyone hears everyone else.
        try await conference.setRole(legS, .participant)
        (a, b, s) = try await talk()
        #expect(a == Heard(tones: [600, 1400]))
        #expect(b == Heard(tones: [1000, 1400]))
        #expect(s == Heard(tones: [600, 1000]))

        // The mixer feeds each leg one continuous stream.
        let packets = caller.packets
        #expect(Set(packets.map(\.header.ssrc)).count == 1)
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        try await conference.close()
        for leg in [legA, legB, legS] { await leg.close() }
        for peer in [caller, agent, supervisor] { await peer.close() }
    }
}

@Suite struct ConferenceMixTests {
    @Test func rolesDecideWhoHearsWhom() {
        var mix = ConferenceMix()
        mix.set(1, role: .participant)
        mix.set(2, role: .participant)
        mix.set(3, role: .whisper(target: 2))
        mix.set(4, role: .monitor)
        #expect(mix.hears(1, 2) && mix.hears(2, 1))
        #expect(mix.hears(2, 3) && !mix.hears(1, 3))
        #expect(!mix.hears(1, 4) && !mix.hears(2, 4) && mix.hears(4, 1) && !mix.hears(4, 3))
        #expect(!mix.hears(1, 1))
        let out = mix.mix([1: [30000, 1], 2: [10000, 2], 3: [5, 3]], frameSize: 2)
        #expect(out[1] == [10000, 2])
        #expect(out[2] == [30005, 4])
        #expect(out[4] == [32767, 3])  // saturates; a whisper reaches only its target
    }
}
