import Foundation

/// A fresh directory under the system temporary directory, removed at deinit (kept when the
/// environment has CC_KEEP_TEST_FILES=1, to look at recordings and logs after a failure).
package final class TemporaryDirectory: Sendable {
    package let path: String
    package init() throws {
        path = NSTemporaryDirectory() + "node-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit {
        if ProcessInfo.processInfo.environment["CC_KEEP_TEST_FILES"] == "1" { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
