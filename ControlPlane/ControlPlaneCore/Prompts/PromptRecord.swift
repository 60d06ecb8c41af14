import Foundation

/// A stored prompt (without its bytes).
public struct PromptRecord: Sendable, Equatable {
    public var name: String
    public var sha256: String
    public var sizeBytes: Int
    public var durationMs: Int
    public var createdAt: Date

    public init(name: String, sha256: String, sizeBytes: Int, durationMs: Int, createdAt: Date) {
        self.name = name; self.sha256 = sha256; self.sizeBytes = sizeBytes; self.durationMs = durationMs; self.createdAt = createdAt
    }
}
