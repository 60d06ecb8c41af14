import CallControl
import Crypto
import Foundation
import NodeTestSupport
import Synchronization
import Testing

/// The node keeping its copy of a tenant's uploaded prompts in step with the snapshot, on real files.
@Suite("Prompt sync")
struct PromptSyncTests {
    static func hash(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test("fetches what is missing or changed, skips what is current, refuses a download with the wrong hash, removes what was deleted")
    func sync() async throws {
        let work = try TemporaryDirectory()
        let renderer = PromptRenderer(configuration: .init(cacheDirectory: work.path + "/tts", promptDirectory: work.path + "/prompts"))
        let store = Mutex<[String: [UInt8]]>(["a.wav": [1, 2, 3], "b.wav": [4, 5]])
        let fetched = Mutex<[String]>([])
        let fetch: @Sendable (String, String) async throws -> [UInt8] = { _, name in
            fetched.withLock { $0.append(name) }
            guard let bytes = store.withLock({ $0[name] }) else { throw CancellationError() }
            return bytes
        }
        let dir = work.path + "/prompts/t1"
        func list() -> [String: String] {
            Dictionary(uniqueKeysWithValues: ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).map { name in
                (name, Self.hash(Array(FileManager.default.contents(atPath: dir + "/" + name) ?? Data())))
            })
        }
        var changed = await renderer.sync(tenant: "t1", prompts: [("a.wav", Self.hash([1, 2, 3])), ("b.wav", Self.hash([4, 5]))], fetch: fetch)
        #expect(changed == 2)
        #expect(list() == ["a.wav": Self.hash([1, 2, 3]), "b.wav": Self.hash([4, 5])])

        // Nothing new: nothing fetched. A replaced prompt is fetched again; one whose download does not
        // match the snapshot's hash is not written; a deleted one goes; a bad name is never a path.
        fetched.withLock { $0 = [] }
        changed = await renderer.sync(tenant: "t1", prompts: [("a.wav", Self.hash([1, 2, 3])), ("b.wav", Self.hash([4, 5]))], fetch: fetch)
        #expect(changed == 0 && fetched.withLock { $0 }.isEmpty)
        store.withLock { $0["a.wav"] = [9, 9]; $0["c.wav"] = [7] }
        changed = await renderer.sync(tenant: "t1", prompts: [("a.wav", Self.hash([9, 9])), ("c.wav", Self.hash([8])), ("../x", "00")],
                                      fetch: fetch)
        #expect(changed == 2, "a replaced, b removed; c refused")
        #expect(list() == ["a.wav": Self.hash([9, 9])])
        #expect(!fetched.withLock { $0 }.contains("../x"))
    }
}
