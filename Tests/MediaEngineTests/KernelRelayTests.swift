import Foundation
import NodeTestSupport
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

    @Test("a stranger's packets the kernel passes up are dropped by the loop without taking the stream back from the kernel (RTP bleed)")
    func strangerDoesNotReachOrUnsettleTheKernelRelay() async throws {
        let engine = makeEngine()
        #expect(engine.relaysInKernel)
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let stranger = try await RTPTestPeer.start(host: "127.0.0.2")
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        try await caller.stream(toneSamples(1000, ms: 400), to: legA.localPort, firstSequence: 0, firstTimestamp: 0)
        try await agent.wait(for: "speech") { p, _ in p.count >= 20 }
        #expect(try await legA.run { $0.kernelTarget != nil })
        // The caller's own SSRC and the next sequence numbers, from another address: the BPF
        // program does not match the source and passes them up.
        for i in 0..<10 {
            var payload = ByteBuffer()
            payload.writeRepeatingByte(0x00, count: 160)
            stranger.send(RTPPacket(header: RTPHeader(marker: false, payloadType: 0, sequenceNumber: 20 + UInt16(i), timestamp: UInt32(20 + i) * 160,
                                                      ssrc: 0x5EED), payload: payload), to: legA.localPort)
        }
        try await eventually { try await legA.foreignPacketCount() == 10 }
        #expect(try await legA.run { $0.kernelTarget != nil }, "the kernel keeps the stream")
        #expect(try await legA.remoteAddress()?.ipAddress == "127.0.0.1")
        try await caller.stream(toneSamples(1000, ms: 400), to: legA.localPort, firstSequence: 20, firstTimestamp: 20 * 160, firstMarker: false)
        let received = try await agent.waitForPackets(40)
        #expect(received.count == 40, "only the caller's 40 packets reach the agent")
        let audio = agent.audio(payloadType: 0)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(audio) - 1000) < 1)
        for leg in [legA, legB] { await leg.close() }
        for peer in [caller, agent, stranger] { await peer.close() }
    }

    func eventually(seconds: Double = 5, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout(what: "a condition") }
            try await Task.sleep(for: .milliseconds(5))
        }
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

    @Test func legsBoundToEveryAddressAreRelayedInTheKernel() async throws {
        // The node's default: sockets on 0.0.0.0, so the kernel picks the source address.
        let engine = makeEngine { $0.bindAddress = "0.0.0.0" }
        #expect(engine.relaysInKernel)
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer(codecs: [.pcmu]))
        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        try await caller.stream(toneSamples(1000, ms: 600), to: legA.localPort)
        let received = try await agent.waitForPackets(30)
        #expect(received.count == 30)
        #expect(zip(received, received.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        #expect(try await legA.run { $0.packetsRelayedByKernel } == UInt64(30 - LegState.relaysBeforeKernel))
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

/// A bridged call whose phones are on the other side of a network interface (a veth pair into a
/// network namespace), so the kernel relay's packets leave the host by `bpf_redirect_neigh`
/// rather than going up the local stack. Checksum offload is off on the phones' side: they
/// compute full UDP checksums and verify ours in software, so a wrong incremental update drops
/// the packet.
@Suite(.serialized) struct KernelRelayInterfaceTests {
    @Test func bridgedCallLeavesByTheNetworkInterfaceWithValidChecksums() async throws {
        let network = try VethNetwork()
        defer { network.remove() }
        let phones = try LineProcess("ip", ["netns", "exec", network.namespace, "python3", "-c", Self.phones, network.peerAddress])
        defer { phones.terminate() }
        let ports = try await phones.waitForLine("PORTS").split(separator: " ").compactMap { Int($0) }
        try #require(ports.count == 2)

        let engine = makeEngine {
            $0.bindAddress = network.hostAddress
            $0.profile = LocalMediaProfile(address: network.hostAddress)
        }
        #expect(engine.relaysInKernel)
        func offer(_ port: Int) throws -> SessionDescription {
            try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 \(network.peerAddress)\r\ns=-\r\nc=IN IP4 \(network.peerAddress)\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n")
        }
        let (legA, _) = try await engine.answer(offer: offer(ports[0]))
        let (legB, _) = try await engine.answer(offer: offer(ports[1]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        phones.send("\(network.hostAddress) \(legA.localPort)")

        // RESULT <received> <SSRCs> <consecutive> <payload intact> <source address:port>
        let result = try await phones.waitForLine("RESULT").split(separator: " ").map(String.init)
        #expect(result[1] == "60", "\(result)")
        #expect(result[2] == "1")
        #expect(result[3] == "True")
        #expect(result[4] == "True")
        #expect(result[5] == "\(network.hostAddress):\(legB.localPort)")
        #expect(try await legA.run { $0.packetsRelayedByKernel } == UInt64(60 - LegState.relaysBeforeKernel))
        #expect(try await legA.statistics().packetsReceived == 60)
        for leg in [legA, legB] { await leg.close() }
    }

    /// The caller sends 60 packets (20 ms apart) to the engine; the agent collects what the engine relays.
    static let phones = """
        import select, socket, struct, sys, time
        ip = sys.argv[1]
        caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); caller.bind((ip, 0))
        agent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); agent.bind((ip, 0))
        print("PORTS", caller.getsockname()[1], agent.getsockname()[1], flush=True)
        host, port = sys.stdin.readline().split()
        payload = bytes(range(160))
        got = []
        def collect(until):
            while len(got) < 60:
                left = until - time.monotonic()
                if left <= 0: return
                if select.select([agent], [], [], left)[0]: got.append(agent.recvfrom(2048))
        start = time.monotonic()
        for i in range(60):
            caller.sendto(struct.pack("!BBHII", 0x80, 0, 100 + i, 1000 + 160 * i, 0x5EED) + payload, (host, int(port)))
            collect(start + (i + 1) * 0.02)
        collect(time.monotonic() + 2)
        seqs = [struct.unpack("!H", d[2:4])[0] for d, _ in got]
        consecutive = all((b - a) & 0xFFFF == 1 for a, b in zip(seqs, seqs[1:]))
        intact = all(d[12:] == payload for d, _ in got)
        sources = sorted({"%s:%d" % s for _, s in got})
        print("RESULT", len(got), len({d[8:12] for d, _ in got}), consecutive, intact, ",".join(sources), flush=True)
        """
}

/// A veth pair: one end on this host, the other in a new network namespace, a /30 between them.
struct VethNetwork {
    let namespace: String
    let hostInterface: String
    let hostAddress: String
    let peerAddress: String

    init() throws {
        let tag = String(UInt32.random(in: 0..<0xFFFFFF), radix: 16)
        namespace = "ckr\(tag)"
        hostInterface = "ckr\(tag)h"
        let subnet = Int.random(in: 0..<64) * 4
        let third = Int.random(in: 1..<255)
        hostAddress = "10.213.\(third).\(subnet + 1)"
        peerAddress = "10.213.\(third).\(subnet + 2)"
        let peerInterface = "ckr\(tag)p"
        for command in [
            ["ip", "netns", "add", namespace],
            ["ip", "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface],
            ["ip", "link", "set", peerInterface, "netns", namespace],
            ["ip", "addr", "add", "\(hostAddress)/30", "dev", hostInterface],
            ["ip", "link", "set", hostInterface, "up"],
            ["ip", "netns", "exec", namespace, "ip", "addr", "add", "\(peerAddress)/30", "dev", peerInterface],
            ["ip", "netns", "exec", namespace, "ip", "link", "set", peerInterface, "up"],
            ["ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up"],
            // Full checksums from the phones, verified in software when ours come back.
            ["ip", "netns", "exec", namespace, "ethtool", "-K", peerInterface, "tx", "off", "rx", "off"],
        ] {
            try Self.run(command)
        }
    }

    func remove() {
        try? Self.run(["ip", "link", "del", hostInterface])
        try? Self.run(["ip", "netns", "del", namespace])
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ command: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failed(description: "\(command.joined(separator: " ")) exited \(process.terminationStatus)") }
    }
}
