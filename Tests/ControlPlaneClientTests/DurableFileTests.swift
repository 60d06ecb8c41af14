import ControlPlaneClient
import Foundation
import NodeTestSupport
import Testing

@Suite("DurableFile and RetryBackoff")
struct DurableFileTests {
    @Test("write replaces content atomically and leaves no temporary files")
    func writeReplace() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/state.json"
        #expect(try DurableFile.read(path) == nil)
        try DurableFile.write(Array("first".utf8), to: path)
        try DurableFile.write(Array("second, longer".utf8), to: path, permissions: 0o600)
        #expect(try DurableFile.read(path) == Array("second, longer".utf8))
        #expect(try DurableFile.list(dir.path) == ["state.json"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("move and remove")
    func moveRemove() throws {
        let dir = try TemporaryDirectory()
        try DurableFile.createDirectory(dir.path + "/a/b")
        try DurableFile.write([1, 2, 3], to: dir.path + "/a/x")
        try DurableFile.move(dir.path + "/a/x", to: dir.path + "/a/b/y")
        #expect(try DurableFile.read(dir.path + "/a/b/y") == [1, 2, 3])
        #expect(try DurableFile.read(dir.path + "/a/x") == nil)
        try DurableFile.remove(dir.path + "/a/b/y")
        try DurableFile.remove(dir.path + "/a/b/y") // missing is fine
        #expect(try DurableFile.list(dir.path + "/a/b").isEmpty)
    }

    @Test("backoff ceilings double up to the maximum; jittered delays stay within [minimum, ceiling]")
    func backoff() {
        let b = RetryBackoff(base: .milliseconds(100), maximum: .seconds(2), minimum: .milliseconds(10))
        #expect(b.ceiling(attempt: 0) == .milliseconds(100))
        #expect(b.ceiling(attempt: 3) == .milliseconds(800))
        #expect(b.ceiling(attempt: 5) == .seconds(2))
        #expect(b.ceiling(attempt: 500) == .seconds(2))
        var g = SplitMix(seed: 42)
        var distinct = Set<Duration>()
        for attempt in 0..<50 {
            let d = b.delay(attempt: attempt % 8, using: &g)
            #expect(d >= .milliseconds(10) && d <= b.ceiling(attempt: attempt % 8))
            distinct.insert(d)
        }
        #expect(distinct.count > 40, "jitter spreads retries")
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
