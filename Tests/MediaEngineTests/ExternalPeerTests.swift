import Foundation
import NodeTestSupport
import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

/// Media against peers nobody here wrote: SIPp replaying captured RTP, and a PJSIP phone.
@Suite(.serialized) struct ExternalPeerTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// RTP payloads of a pcap (Ethernet/IPv4/UDP) in file order.
    static func pcapRTP(_ path: String) throws -> [RTPPacket] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var offset = 24
        var packets: [RTPPacket] = []
        while offset + 16 <= bytes.count {
            let length = u32(offset + 8)
            let frame = Array(bytes[(offset + 16)..<(offset + 16 + length)])
            offset += 16 + length
            let ip = 14
            let udp = ip + Int(frame[ip] & 0x0F) * 4
            if let packet = try? RTPPacket(decoding: ByteBuffer(bytes: frame[(udp + 8)...])) { packets.append(packet) }
        }
        return packets
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// SIPp calls in and replays sip-tester's G.711 A-law speech capture and an RFC 2833 "5".
    /// The speech must reach the bridged party byte for byte; the digit must be reported once.
    @Test func sippCapturedSpeechAndDTMFArriveIntact() async throws {
        let pcapDirectory = "/usr/share/sip-tester"
        guard FileManager.default.fileExists(atPath: "\(pcapDirectory)/g711a.pcap") else {
            throw ExternalPeer.Missing(what: "sip-tester (sipp) with its pcap files")
        }
        let engine = makeEngine()
        let agent = try await RTPTestPeer.start()
        let sip = try await MiniSIP.start()
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("pcap").path, withDestinationPath: pcapDirectory)

        let callSide = Task { () -> (MediaLeg, MediaLeg) in
            let (invite, from) = try await sip.receive { $0.method == "INVITE" }
            let (legA, answer) = try await engine.answer(offer: try SessionDescription(parsing: invite.body))
            let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcma]), colocatedWith: legA)
            _ = try await engine.bridge(legA, legB)
            sip.respond(to: invite, from: from, status: "200 OK", body: answer.serialized)
            _ = try await sip.receive { $0.method == "ACK" }
            return (legA, legB)
        }
        // Ports that were free a moment ago (random ones collided once in CI and SIPp never called).
        let sipPort = freeUDPPort()
        let mediaPort = freeUDPPort() & ~1
        let sipp = try ExternalPeer(executable: "sipp", arguments: [
            "127.0.0.1:\(sip.port)", "-sf", Self.repositoryRoot.appendingPathComponent("infra/media/sipp-uac-pcap.xml").path,
            "-m", "1", "-i", "127.0.0.1", "-p", String(sipPort), "-mi", "127.0.0.1", "-mp", String(mediaPort),
            "-timeout", "40s", "-nostdin",
        ], directory: work.path)
        let (legA, legB): (MediaLeg, MediaLeg)
        do {
            (legA, legB) = try await callSide.value
        } catch {
            sipp.terminate()
            Issue.record("sipp output: \(sipp.lines.suffix(15).joined(separator: "\n"))")
            throw error
        }
        let byeHandled = Task {
            let (bye, from) = try await sip.receive(seconds: 30) { $0.method == "BYE" }
            sip.respond(to: bye, from: from, status: "200 OK")
        }
        try await byeHandled.value
        let status = try await sipp.exitStatus()
        #expect(status == 0, "sipp exit status; output: \(sipp.lines.suffix(15).joined(separator: "\n"))")

        let reference = try Self.pcapRTP("\(pcapDirectory)/g711a.pcap")
        let expected = reference.flatMap { Array($0.payload.readableBytesView) }
        let received = agent.packets.filter { $0.header.payloadType == 8 }.flatMap { Array($0.payload.readableBytesView) }
        #expect(expected.count == 236 * 240)
        #expect(received == expected, "received \(received.count) of \(expected.count) bytes")
        // The agent's stream stays continuous across SIPp's 30 ms packets.
        let agentPackets = agent.packets.filter { $0.header.payloadType == 8 }
        #expect(zip(agentPackets, agentPackets.dropFirst()).allSatisfy { $1.header.timestamp &- $0.header.timestamp == 240 })

        await legA.close()
        var events: [MediaEvent] = []
        for await event in legA.events { events.append(event) }
        #expect(events.filter { $0 == .dtmf(DTMFDigit("5")!, source: .rfc4733) }.count == 1)
        #expect(events.contains { if case .dtmfEnded(let d, _) = $0 { d == DTMFDigit("5")! } else { false } })
        let stats = try? await legA.statistics()
        _ = stats
        await legB.close()
        await agent.close()
        await sip.close()
    }

    /// A PJSIP phone (pjsua2) answers our INVITE, plays a sox-made 1 kHz WAV into the call and
    /// records what it hears. Its audio must reach the bridged party at the same frequency and
    /// level, and our 600 Hz prompt must be in its recording.
    @Test func pjsipPhonePlaysIntoTheCallAndRecordsOurPrompt() async throws {
        guard let python = ExternalPeer.find("python3") else { throw ExternalPeer.Missing(what: "python3") }
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let playPath = work.appendingPathComponent("play.wav").path
        let recordPath = work.appendingPathComponent("heard.wav").path
        let gain = amplitudeFor(dBm0: -10) / 32767
        let sox = try ExternalPeer(executable: "sox", arguments: ["-D", "-n", "-r", "8000", "-b", "16", "-c", "1", playPath, "synth", "4", "sine", "1000", "vol", String(gain)])
        #expect(try await sox.exitStatus() == 0)

        let pjsipPort = Int.random(in: 41000...44999)
        let phone = try ExternalPeer(executable: python, arguments: [
            Self.repositoryRoot.appendingPathComponent("infra/media/pjsua2_peer.py").path, String(pjsipPort), playPath, recordPath, "30",
        ])
        defer { phone.terminate() }
        do {
            try await phone.waitForLine("READY")
        } catch {
            Issue.record("pjsua2 peer did not start (pip package pjsua2-python): \(phone.lines.suffix(10))")
            throw error
        }

        let engine = makeEngine()
        let agent = try await RTPTestPeer.start()
        let sip = try await MiniSIP.start()
        let phoneAddress = try SocketAddress(ipAddress: "127.0.0.1", port: pjsipPort)
        let (legA, offer) = try await engine.offer()
        let callID = "media-\(UUID().uuidString)"
        let uri = "sip:peer@127.0.0.1:\(pjsipPort)"
        sip.request("INVITE", uri: uri, callID: callID, cseq: 1, to: "<\(uri)>", body: offer.serialized, address: phoneAddress)
        let (ok, _) = try await sip.receive { $0.status == 200 && ($0.header("CSeq") ?? "").hasSuffix("INVITE") }
        // PJSIP's SDP names the host's own address but its RTP to loopback comes from 127.0.0.1,
        // where its SIP comes from: call control passes that as the signalling address (strict latching).
        try await legA.accept(answer: try SessionDescription(parsing: ok.body), signallingAddress: "127.0.0.1")
        let to = ok.header("To") ?? "<\(uri)>"
        sip.request("ACK", uri: uri, callID: callID, cseq: 1, to: to, address: phoneAddress)

        let (legB, _) = try await engine.answer(offer: agent.offer(codecs: [.pcmu]), colocatedWith: legA)
        _ = try await engine.bridge(legA, legB)
        let prompt = PromptAudio(samples: toneSamples(600, ms: 1500, dBm0: -10))
        let playback = try await legA.play([.audio(prompt)], bargeIn: false)

        try await agent.waitForPackets(100, seconds: 10)
        var finished = false
        for await event in legA.events where event == .playbackFinished(playback) {
            finished = true
            break
        }
        #expect(finished)
        sip.request("BYE", uri: uri, callID: callID, cseq: 2, to: to, address: phoneAddress)
        _ = try await sip.receive { $0.status == 200 && ($0.header("CSeq") ?? "").hasSuffix("BYE") }
        try await phone.waitForLine("DONE")
        #expect(try await phone.exitStatus() == 0)

        // What PJSIP sent, relayed to the agent: 1 kHz at -10 dBm0 (skip the first 200 ms of start-up).
        let heardByAgent = Array(agent.audio(payloadType: 0).dropFirst(1600).prefix(8000))
        #expect(heardByAgent.count == 8000)
        #expect(abs(SignalMeasurement.zeroCrossingFrequency(heardByAgent) - 1000) < 2)
        #expect(abs(SignalMeasurement.rmsDBm0(heardByAgent) - (-10)) < 1)

        // What PJSIP recorded from us: our 600 Hz prompt.
        let recorded = try WAVDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: recordPath))))
        let frames = stride(from: 0, to: recorded.count - 159, by: 160).map { dominant(Array(recorded[$0..<$0 + 160]), among: [600, 1000]) }
        let promptFrames = frames.filter { $0 == 600 }.count
        #expect(promptFrames >= 70 && promptFrames <= 85,  // PJSIP conceals the end with a few PLC frames
                "600 Hz frames in PJSIP's recording: \(promptFrames)")
        #expect(!frames.contains(1000))
        if let start = frames.firstIndex(of: 600) {
            let middle = Array(recorded[(start * 160 + 1600)..<(start * 160 + 9600)])
            #expect(abs(SignalMeasurement.zeroCrossingFrequency(middle) - 600) < 2)
            #expect(abs(SignalMeasurement.rmsDBm0(middle) - (-10)) < 1)
        }
        let stats = try await legA.statistics()
        #expect(stats.packetsLost == 0 && stats.packetsReceived >= 100, "\(stats)")
        await legA.close()
        await legB.close()
        await agent.close()
        await sip.close()
    }
}
