import Foundation
import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// The in-kernel relay (BPF) with real packets on loopback: what it relays must be exactly what
/// the packet loops would have sent, and the engine must take a direction back, with every
/// counter, whenever the call needs more than a header rewrite.
@Suite(.serialized) struct KernelRelayTests {
    @Test func plainBridgeIsRelayedInTheKernelAsOneContinuousStream() async throws {
        let engine = makeEngine()
        #expect(engine.relaysInKernel, "the in-kernel relay could not be loaded (needs Linux 6.6+ and root)")
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)

        // 1.2 s of speech, a key press (RFC 4733, which the kernel passes up), 1.2 s more.
        try await caller.stream(toneSamples(1000, ms: 1200), to: legA.localPort, firstSequence: 100, firstTimestamp: 1000)
        try await agent.wait(for: "first half") { p, _ in p.count >= 60 }
        let relayedFirst = try await legA.run { $0.packetsRelayedByKernel }
        #expect(relayedFirst == UInt64(60 - LegState.relaysBeforeKernel))

        let key = TelephoneEventSender.packets(for: DTMFDigit("5")!, durationMs: 60)
        for (i, p) in key.enumerated() {
            var payload = ByteBuffer()
            payload.writeBytes(p.event.bytes)
            let header = RTPHeader(marker: p.marker, payloadType: 101, sequenceNumber: 160 &+ UInt16(i), timestamp: 1000 + 60 * 160, ssrc: 0x5EED)
            caller.send(RTPPacket(header: header, payload: payload), to: legA.localPort)
        }
        for await event in legA.events {
            #expect(event == .dtmf(DTMFDigit("5")!, source: .rfc4733))
            break
        }
        let afterKey = UInt16(160 + key.count)
        try await caller.stream(toneSamples(1000, ms: 1200), to: legA.localPort, firstSequence: afterKey,
                                firstTimestamp: 1000 + 60 * 160 + 480, firstMarker: false)
        let total = 120 + key.count
        let received = try await agent.waitForPackets(total)
        let relayed = try await legA.run { $0.packetsRelayedByKernel }
        #expect(relayed == UInt64(120 - 2 * LegState.relaysBeforeKernel))

        // What the agent got: one stream, no gap, no duplicate, the tone intact, the key retyped.
        #expect(received.count == total)
        #expect(Set(received.map(\.header.ssrc)).count == 1)
        #expect(zip(received, received.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        #expect(zip(received, received.dropFirst()).allSatisfy { Int32(bitPattern: $1.header.timestamp &- $0.header.timestamp) >= 0 })
        #expect(received.filter { $0.header.payloadType == 101 }.count == key.count)
        let audio = agent.audio(payloadType: 0)
        #expect(audio.count == 120 * 160)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(audio) - 1000) < 1)
        #expect(abs(SignalMeasurement.rmsDBm0(audio) - (-10)) < 0.3)

        // The counters carried on in the kernel: nothing lost, nothing counted twice.
        let inbound = try await legA.statistics()
        #expect(inbound.packetsReceived == UInt32(total))
        #expect(inbound.packetsLost == 0)
        #expect(inbound.octetsReceived == UInt64(120 * 172 + key.count * 16))
        let outbound = try await legB.statistics()
        #expect(outbound.packetsSent == UInt32(total))
        for leg in [legA, legB] { await leg.close() }
        for peer in [caller, agent] { await peer.close() }
    }

    @Test func recordingTakesTheDirectionBackFromTheKernel() async throws {
        let engine = makeEngine()
        #expect(engine.relaysInKernel)
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        let bridge = try await engine.bridge(legA, legB)
        try await caller.stream(toneSamples(1000, ms: 600), to: legA.localPort, firstSequence: 0, firstTimestamp: 0)
        try await agent.wait(for: "speech") { p, _ in p.count >= 30 }
        #expect(try await legA.run { $0.kernelTarget != nil })

        // Recording needs the audio: from now on the loop relays (and decodes) every packet.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-\(UUID()).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recording = try await bridge.record(to: path, layout: .stereo)
        let relayedBefore = try await legA.run { $0.packetsRelayedByKernel }
        #expect(try await legA.run { $0.kernelTarget == nil })
        try await caller.stream(toneSamples(1000, ms: 600), to: legA.localPort, firstSequence: 30, firstTimestamp: 30 * 160, firstMarker: false)
        let received = try await agent.waitForPackets(60)
        _ = try await recording.stop()
        #expect(try await legA.run { $0.packetsRelayedByKernel } == relayedBefore)
        #expect(zip(received, received.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        let (_, interleaved) = try WAVDecoder.decodeNative(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let left = stride(from: 0, to: interleaved.count, by: 2).map { interleaved[$0] }
        let toneFrames = stride(from: 0, to: left.count - 159, by: 160).filter {
            dominant(Array(left[$0..<$0 + 160]), among: [1000]) != nil
        }.count
        // The 30 packets after the recording started are all in it.
        #expect(toneFrames >= 28 && toneFrames <= 31, "\(toneFrames)")
        for leg in [legA, legB] { await leg.close() }
        for peer in [caller, agent] { await peer.close() }
    }

    @Test func withoutTheKernelRelayTheLoopsRelayEverything() async throws {
        let engine = makeEngine { $0.kernelRelay = false }
        #expect(!engine.relaysInKernel)
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        try await caller.stream(toneSamples(1000, ms: 600), to: legA.localPort)
        let received = try await agent.waitForPackets(30)
        #expect(received.count == 30)
        #expect(try await legA.run { $0.packetsRelayedByKernel } == 0)
        for leg in [legA, legB] { await leg.close() }
        for peer in [caller, agent] { await peer.close() }
    }
}
