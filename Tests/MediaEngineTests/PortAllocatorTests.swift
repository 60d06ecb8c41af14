import Testing
@testable import MediaEngine

@Suite struct PortAllocatorTests {
    @Test func allocatesEveryEvenPortWithItsRTCPPartnerOnceUntilExhausted() {
        var allocator = RTPPortAllocator(range: 20001...20010)
        #expect(allocator.capacity == 4)  // 20002, 20004, 20006, 20008 (20010 has no RTCP port)
        let ports = (0..<4).compactMap { _ in allocator.allocate() }
        #expect(Set(ports) == [20002, 20004, 20006, 20008])
        #expect(allocator.allocate() == nil)
        allocator.release(20004)
        #expect(allocator.allocate() == 20004)  // the only one left, quarantine or not
        #expect(RTPPortAllocator(range: 65530...65535).capacity == 3)  // 65530, 65532, 65534 (RTCP on 65535)
        var tiny = RTPPortAllocator(range: 7...7)
        #expect(tiny.allocate() == nil)
    }

    @Test("ports are drawn at random, so one call's port does not give away the next call's (RTP bleed)")
    func portsAreNotSequential() {
        var allocator = RTPPortAllocator(range: 20000...21999)
        let ports = (0..<200).compactMap { _ in allocator.allocate() }
        #expect(Set(ports).count == 200)
        let successors = zip(ports, ports.dropFirst()).filter { $1 == $0 + 2 }.count
        #expect(successors < 5, "a sequential allocator makes 199; random draws make ~0.2")
        #expect(ports != ports.sorted())
    }

    @Test("a released port rests in quarantine while other ports are free")
    func releasedPortsRest() {
        var allocator = RTPPortAllocator(range: 20000...20099)  // 50 ports, quarantine of 12
        let taken = (0..<40).compactMap { _ in allocator.allocate() }
        #expect(allocator.availableCount == 10)
        allocator.release(taken[0])
        #expect(allocator.availableCount == 11)  // a quarantined port still counts: it is drawn when nothing else is
        let next = (0..<10).compactMap { _ in allocator.allocate() }
        #expect(next.count == 10 && !next.contains(taken[0]))
        #expect(allocator.availableCount == 1)
        #expect(allocator.allocate() == taken[0])  // nothing else left
        #expect(allocator.availableCount == 0)
        #expect(allocator.allocate() == nil)
    }

    @Test func engineUsesTheConfiguredRangeAndRunsOut() async throws {
        // Below the kernel's ephemeral range (32768+), where outgoing sockets of other tests could hold a port.
        let base = Int.random(in: 25000...32000) & ~1
        let engine = makeEngine { $0.portRange = base...(base + 3) }
        let phone = try await RTPTestPeer.start()
        let (a, _) = try await engine.answer(offer: phone.offer())
        #expect(engine.rtpPortUsage?.available == 1)
        let (b, _) = try await engine.answer(offer: phone.offer())
        #expect(Set([a.localPort, b.localPort]) == [base, base + 2])
        #expect(engine.rtpPortUsage?.available == 0)
        #expect(engine.rtpPortUsage?.capacity == 2)
        await #expect(throws: MediaEngineError.noPortAvailable) { try await engine.answer(offer: phone.offer()) }
        let released = a.localPort
        await a.close()
        #expect(engine.rtpPortUsage?.available == 1)
        let (c, _) = try await engine.answer(offer: phone.offer())
        #expect(c.localPort == released)  // the only free one
        await b.close()
        await c.close()
        await phone.close()
    }
}

@Suite struct EngineLifecycleTests {
    @Test func closeAllReleasesEveryLeg() async throws {
        let engine = makeEngine()
        #expect(engine.rtpPortUsage == nil)  // the OS picks ports: nothing to run out of
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
