import Testing
@testable import MediaEngine

/// The engine's packet totals (the node's `media_node_rtp_*` series): every relayed packet is
/// counted once, by the loops or by the kernel, and a leg's counts survive its close without
/// being counted twice.
@Suite(.serialized) struct PacketTotalsTests {
    @Test func relayedPacketsAreCountedOnceAcrossLoopsKernelAndClose() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        let before = await engine.packetTotals()
        #expect(before == MediaPacketTotals())

        try await caller.stream(toneSamples(1000, ms: 1200), to: legA.localPort, firstSequence: 100, firstTimestamp: 1000)
        _ = try await agent.waitForPackets(60)
        let open = await engine.packetTotals()
        #expect(open.relayedByLoops + open.relayedByKernel == 60)
        if engine.relaysInKernel {
            #expect(open.relayedByLoops == UInt64(LegState.relaysBeforeKernel))
        }
        #expect(open.received == 60)
        #expect(open.lost == 0)

        await legA.close()
        await legB.close()
        let closed = await engine.packetTotals()
        #expect(closed == open)
    }
}
