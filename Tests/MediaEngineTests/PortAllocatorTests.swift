import Testing
@testable import MediaEngine

@Suite struct PortAllocatorTests {
    @Test func allocatesEvenPortsRoundRobinAndReleases() {
        var allocator = RTPPortAllocator(range: 20001...20010)
        #expect(allocator.capacity == 4)  // 20002, 20004, 20006, 20008 (20010 has no RTCP port)
        let ports = (0..<4).compactMap { _ in allocator.allocate() }
        #expect(ports == [20002, 20004, 20006, 20008])
        #expect(allocator.allocate() == nil)
        allocator.release(20004)
        #expect(allocator.allocate() == 20004)
    }

    @Test func engineUsesTheConfiguredRangeAndRunsOut() async throws {
        // Below the kernel's ephemeral range (32768+), where outgoing sockets of other tests could hold a port.
        let base = Int.random(in: 25000...32000) & ~1
        let engine = makeEngine { $0.portRange = base...(base + 3) }
        let phone = try await RTPTestPeer.start()
        let (a, _) = try await engine.answer(offer: phone.offer())
        let (b, _) = try await engine.answer(offer: phone.offer())
        #expect(Set([a.localPort, b.localPort]) == [base, base + 2])
        await #expect(throws: MediaEngineError.noPortAvailable) { try await engine.answer(offer: phone.offer()) }
        await a.close()
        let (c, _) = try await engine.answer(offer: phone.offer())
        #expect(c.localPort == base)
        await b.close()
        await c.close()
        await phone.close()
    }
}

@Suite struct EngineLifecycleTests {
    @Test func closeAllReleasesEveryLeg() async throws {
        let engine = makeEngine()
        let phone = try await RTPTestPeer.start()
        let (a, _) = try await engine.answer(offer: phone.offer())
        let (b, _) = try await engine.answer(offer: phone.offer(), colocatedWith: a)
        _ = try await engine.bridge(a, b)
        #expect(engine.activeLegCount == 2)
        await engine.closeAll()
        #expect(engine.activeLegCount == 0)
        var events: [MediaEvent] = []
        for await event in a.events { events.append(event) }  // finished by close
        #expect(events.isEmpty)
        await phone.close()
    }
}
