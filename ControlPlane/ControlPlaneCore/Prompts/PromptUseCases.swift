import CallCenterModel
import Crypto
import Foundation

/// A tenant's prompts, as the prompt use cases need them (inside the caller's transaction).
public protocol PromptStore: Sendable {
    func list() async throws -> [PromptRecord]
    /// Stores or replaces the prompt; reserves the tenant's `maxPrompts`/`maxPromptBytes` quotas first.
    func upsert(name: String, content: [UInt8], sha256: String, durationMs: Int) async throws -> PromptRecord
    func delete(name: String) async throws -> Bool
}

/// A tenant's recorded prompts (WAV files the IVR and queues play), kept in the database.
public struct PromptUseCases: Sendable {
    /// The largest prompt file accepted.
    public static let maxBytes = 5 << 20

    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID) async throws -> [PromptRecord] {
        try await work.inTenant(tenantID) { try await $0.prompts.list() }
    }

    /// Stores (or replaces) prompt `name`. `read` returns the file's bytes, at most the limit it is
    /// given, or nil when the file is larger (or could not be read); it is called after the name is checked.
    public func upload(tenantID: UUID, name: String, read: (Int) async -> [UInt8]?) async throws -> PromptRecord {
        let name = try Self.validName(name)
        guard let bytes = await read(Self.maxBytes) else {
            throw ControlPlaneError(.validationFailed, "The file is larger than 5 MB.", issues: [ValidationIssue(field: "body", message: "larger than 5 MB")])
        }
        let audio: PromptAudioFile
        do throws(PromptAudioFile.Problem) {
            audio = try PromptAudioFile.inspect(bytes)
        } catch {
            throw ControlPlaneError.validation([ValidationIssue(field: "body", message: error.description)])
        }
        guard audio.durationMs <= 600_000 else {
            throw ControlPlaneError.validation([ValidationIssue(field: "body", message: "longer than 10 minutes")])
        }
        let hash = SHA256.hash(data: bytes).hexString
        return try await work.inTenant(tenantID) {
            try await $0.prompts.upsert(name: name, content: bytes, sha256: hash, durationMs: audio.durationMs)
        }
    }

    public func delete(tenantID: UUID, name: String) async throws {
        let name = try Self.validName(name)
        guard try await work.inTenant(tenantID, { try await $0.prompts.delete(name: name) }) else {
            throw ControlPlaneError.notFound("prompt")
        }
    }

    /// A prompt name from a path: letters, digits, '.', '_', '-' (1–100, starting with a letter or digit).
    public static func validName(_ name: String) throws(ControlPlaneError) -> String {
        guard PromptAudioFile.isValidName(name) else {
            throw ControlPlaneError.validation([ValidationIssue(field: "promptName", message: "use letters, digits, '.', '_', '-' (1–100, starting with a letter or digit)")])
        }
        return name
    }
}
