import Foundation
import FuzzCorpus
import Testing
@testable import SIPMessage

/// Inputs that once broke the parser (`infra/fuzz/run.sh sip-message` copies crash inputs to
/// infra/fuzz/regressions/sip-message/; older ones are in FuzzRegressions/), the fuzz seeds
/// (infra/fuzz/corpus/sip-message/) and every RFC 4475 message: each must parse or be rejected
/// without crashing, and anything accepted must be accepted again after serialization.
@Suite struct SerializationPropertyTests {
    static func inputs() throws -> [[UInt8]] {
        var all = try TortureCorpus.load().map(\.bytes)
        let older = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("FuzzRegressions")
        for f in ((try? FileManager.default.contentsOfDirectory(atPath: older.path)) ?? []).sorted() {
            all.append([UInt8](try Data(contentsOf: older.appendingPathComponent(f))))
        }
        return all + (try fuzzCorpus("sip-message").map(\.bytes))
    }

    @Test func acceptedMessagesSurviveSerialization() throws {
        let parser = SIPMessageParser()
        var accepted = 0
        for input in try Self.inputs() {
            _ = input.withUnsafeBufferPointer { try? SIPStreamFramer().nextFrame($0) }
            _ = try? parser.parse(input, framing: .stream)
            guard let message = try? parser.parse(input) else { continue }
            accepted += 1
            let again = try parser.parse(message.serialized())
            #expect(again.body == message.body)
            #expect(again.headers.fields.filter { $0.name != .contentLength } == message.headers.fields.filter { $0.name != .contentLength })
        }
        #expect(accepted >= 13) // the valid half of the corpus at least
    }
}
