import ControlPlaneCore
import Foundation

/// A tenant's prompts over one tenant-scoped transaction.
struct PostgresPromptStore: PromptStore {
    let tx: Transaction
    let tenantID: UUID

    func list() async throws -> [PromptRecord] { try await PromptRepository.list(tx, tenantID: tenantID) }
    func upsert(name: String, content: [UInt8], sha256: String, durationMs: Int) async throws -> PromptRecord {
        try await PromptRepository.upsert(tx, tenantID: tenantID, name: name, content: content, sha256: sha256, durationMs: durationMs)
    }
    func delete(name: String) async throws -> Bool { try await PromptRepository.delete(tx, tenantID: tenantID, name: name) }
}
