import Foundation
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
        let sipPort = Int.random(in: 30000...39999)
        let mediaPort = Int.random(in: 20000...29999) & ~1
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
}
