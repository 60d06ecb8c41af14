import Foundation
import NodeTestSupport
import Testing

/// Recorded prompts: upload checked as playable WAV, listed, in the snapshot, fetched by the home node only.
@Suite("Prompts")
struct PromptsTests {
    /// A 1.2 kHz tone file's bytes.
    static func wav(_ directory: String, _ name: String, seconds: Double = 1, channels: Int = 1) throws -> Data {
        try WAVSamples.writeTone(directory + "/" + name, hz: 1200, seconds: seconds, channels: channels)
        return try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
    }

    @Test("upload, list, snapshot, node download (home node only), replace, delete; unplayable files are refused with the reason")
    func lifecycle() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let work = try TemporaryDirectory()
            let chime = try Self.wav(work.path, "chime.wav")
            let up = try await h.call(.put, "/v1/prompts/chime.wav", token: key, bytes: chime, contentType: "audio/wav")
            #expect(up.status == 200, "\(String(decoding: up.body, as: UTF8.self))")
            #expect(up["durationMs"] as? Int == 1000)
            #expect(up["sizeBytes"] as? Int == chime.count)
            let hash = try #require(up["sha256"] as? String)
            #expect(try await h.call(.get, "/v1/prompts", token: key).items.map { $0["name"] as? String } == ["chime.wav"])

            // Refused: not a WAV, stereo, a bad name.
            let text = try await h.call(.put, "/v1/prompts/x.wav", token: key, bytes: Data("hello".utf8), contentType: "audio/wav")
            #expect(text.status == 422)
            #expect(((text["errors"] as? [[String: Any]])?.first?["message"] as? String)?.contains("not a WAV") == true)
            let stereo = try await h.call(.put, "/v1/prompts/s.wav", token: key, bytes: try Self.wav(work.path, "s.wav", channels: 2), contentType: "audio/wav")
            #expect(stereo.status == 422)
            #expect(((stereo["errors"] as? [[String: Any]])?.first?["message"] as? String)?.contains("mono") == true)
            #expect(try await h.call(.put, "/v1/prompts/..%2Fx", token: key, bytes: chime, contentType: "audio/wav").status == 422)

            // The home node sees it in its snapshot and downloads it; another node cannot.
            let home = try await NodeChannelTests.registerNode(h, name: "node-a")
            let snapshot = try await h.call(.get, "/v1/node/config", token: home.credential)
            let prompts = (snapshot["tenants"] as? [[String: Any]])?.first?["prompts"] as? [[String: Any]]
            #expect(prompts?.first?["name"] as? String == "chime.wav" && prompts?.first?["sha256"] as? String == hash)
            let download = try await h.call(.get, "/v1/node/prompts/\(tenantID)/chime.wav", token: home.credential)
            #expect(download.status == 200)
            #expect(download.body == chime)
            let other = try await NodeChannelTests.registerNode(h, name: "node-b")
            #expect(try await h.call(.get, "/v1/node/prompts/\(tenantID)/chime.wav", token: other.credential).status == 404)
            #expect(try await h.call(.get, "/v1/node/prompts/\(tenantID)/chime.wav", token: key).status == 403)

            // Replacing changes the hash and the configuration version; deleting removes it.
            let version = try #require(snapshot["version"] as? Int)
            let longer = try await h.call(.put, "/v1/prompts/chime.wav", token: key, bytes: try Self.wav(work.path, "c2.wav", seconds: 2), contentType: "audio/wav")
            #expect(longer["durationMs"] as? Int == 2000 && longer["sha256"] as? String != hash)
            #expect(try await h.call(.get, "/v1/node/config?ifNewerThan=\(version)", token: home.credential).status == 200)
            #expect(try await h.call(.delete, "/v1/prompts/chime.wav", token: key).status == 204)
            #expect(try await h.call(.delete, "/v1/prompts/chime.wav", token: key).status == 404)
            #expect(try await h.call(.get, "/v1/prompts", token: key).items.isEmpty)
        }
    }
}
