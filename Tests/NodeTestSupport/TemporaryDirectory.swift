import Foundation

/// A fresh directory under the system temporary directory, removed at deinit.
package final class TemporaryDirectory: Sendable {
    package let path: String
    package init() throws {
        path = NSTemporaryDirectory() + "node-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
