import Foundation
import NIOCore
import RTPCore
import SDP
import Testing
@testable import MediaEngine

@Suite(.serialized) struct RecordingTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString).wav").path
    }

    /// 20 ms frames → dominant frequency among the parties' tones (nil for silence).
    func timeline(_ samples: [Int16]) -> [Double?] {
        stride(from: 0, to: samples.count - 159, by: 160).map { dominant(Array(samples[$0..<$0 + 160]), among: [600, 1000]) }
    }

    @Test func stereoRecordingHasCallerLeftAgentRightAtTheRightTimes() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer())
        let (legB, _) = try await engine.answer(offer: agent.offer(), colocatedWith: legA)
        let bridge = try await engine.bridge(legA, legB)
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recording = try await bridge.record(to: path, layout: .stereo)

        try await caller.stream(toneSamples(1000, ms: 600), to: legA.localPort)
        try await agent.stream(toneSamples(600, ms: 600), to: legB.localPort)
        // Before stop the file is already a complete WAV: the header matches the data flushed
        // so far (written 500 ms behind real time, in 200 ms batches).
        let partial = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let (info, partialSamples) = try WAVDecoder.decodeNative(partial)
        #expect(info.channels == 2 && info.sampleRate == 8000)
        #expect(partialSamples.count >= 2 * 8 * 400)
        let declared = Int(partial[40]) | Int(partial[41]) << 8 | Int(partial[42]) << 16 | Int(partial[43]) << 24
        #expect(declared <= partial.count - 44 && declared % 4 == 0)
        let durationMs = try await recording.stop()

        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let (_, interleaved) = try WAVDecoder.decodeNative(bytes)
        #expect(abs(durationMs - interleaved.count / 16) <= 1)
        let left = stride(from: 0, to: interleaved.count, by: 2).map { interleaved[$0] }
        let right = stride(from: 1, to: interleaved.count, by: 2).map { interleaved[$0] }
        let l = timeline(left)
        let r = timeline(right)
        // The caller's tone is only on the left, the agent's only on the right.
        #expect(!l.contains(600) && !r.contains(1000))
        guard let callerStart = l.firstIndex(of: 1000), let agentStart = r.firstIndex(of: 600) else {
            Issue.record("tones missing: left \(l) right \(r)")
            return
        }
        let callerFrames = l.filter { $0 == 1000 }.count
        #expect(abs(callerFrames - 30) <= 2)
        #expect(abs(r.filter { $0 == 600 }.count - 30) <= 2)
        // The agent started speaking when the caller stopped: 600 ms later (+ scheduling on a busy machine).
        #expect((agentStart - callerStart) * 20 >= 580 && (agentStart - callerStart) * 20 <= 900, "caller at \(callerStart), agent at \(agentStart)")
        // While one talks the other channel is silent. The agent starts the moment the caller's last
        // packet was sent, so at the hand-over the caller's last frame may share a 20 ms tick with the
        // agent's first (the same ±2-frame scheduling tolerance as the tone lengths above).
        #expect(r[callerStart..<callerStart + 28].allSatisfy { $0 == nil })
        #expect(l[min(agentStart + 2, l.count)..<min(agentStart + 25, l.count)].allSatisfy { $0 == nil }, "left \(l)")
        // sox, an independent reader, agrees on format and length.
        let soxInfo = String(decoding: try soxInfo(path), as: UTF8.self)
        #expect(soxInfo.contains("Channels       : 2"))
        #expect(soxInfo.contains("\(left.count) samples"))
        await legA.close()
        await legB.close()
        await caller.close()
        await agent.close()
    }

    @Test func pauseWritesSilenceAndKeepsTheTimeline() async throws {
        let engine = makeEngine()
        let caller = try await RTPTestPeer.start()
        let agent = try await RTPTestPeer.start()
        let (legA, _) = try await engine.answer(offer: caller.offer())
        let (legB, _) = try await engine.answer(offer: agent.offer(), colocatedWith: legA)
        let bridge = try await engine.bridge(legA, legB)
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recording = try await bridge.record(to: path, layout: .mixedMono)
        try await caller.stream(toneSamples(1000, ms: 400), to: legA.localPort, firstSequence: 0, firstTimestamp: 0)
        try await recording.pause()
        try await caller.stream(toneSamples(1000, ms: 400), to: legA.localPort, firstSequence: 20, firstTimestamp: 3200)
        try await recording.resume()
        try await caller.stream(toneSamples(1000, ms: 400), to: legA.localPort, firstSequence: 40, firstTimestamp: 6400)
        try await recording.stop()

        let (info, samples) = try WAVDecoder.decodeNative(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(info.channels == 1)
        let t = timeline(samples)
        let toneFrames = t.filter { $0 == 1000 }.count
        // 60 frames were spoken, about 20 of them while paused.
        #expect(toneFrames >= 36 && toneFrames <= 44, "\(toneFrames)")
        guard let first = t.firstIndex(of: 1000), let last = t.lastIndex(of: 1000) else { Issue.record("no tone"); return }
        // The paused stretch is silence inside the tone: the timeline still spans ~1.2 s.
        #expect(abs((last - first + 1) - 60) <= 4)
        let gap = t[first...last].filter { $0 == nil }.count
        #expect(abs(gap - 20) <= 4)
        await legA.close()
        await legB.close()
        await caller.close()
        await agent.close()
    }

    func soxInfo(_ path: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sox") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "sox not installed (infra/deps/apt.txt)"])
        }
        process.arguments = ["--i", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }
}
