import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum PromptRepository {
    /// Stores or replaces `name`.
    public static func upsert(_ tx: Transaction, tenantID: UUID, name: String, content: [UInt8], sha256: String,
                              durationMs: Int) async throws -> PromptRecord {
        try await QuotaRepository.reservePrompt(tx, tenantID: tenantID, name: name, sizeBytes: content.count)
        let bytes = ByteBuffer(bytes: content)
        for try await (n, hash, size, duration, created) in try await tx.query("""
            INSERT INTO prompts (tenant_id, name, content, sha256, duration_ms) VALUES (\(tenantID), \(name), \(bytes), \(sha256), \(durationMs))
            ON CONFLICT (tenant_id, name) DO UPDATE SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256,
                duration_ms = EXCLUDED.duration_ms, created_at = now()
            RETURNING name, sha256, octet_length(content)::int8, duration_ms::int8, created_at
            """).decode((String, String, Int64, Int64, Date).self) {
            return PromptRecord(name: n, sha256: hash, sizeBytes: Int(size), durationMs: Int(duration), createdAt: created)
        }
        throw PromptStoreError()
    }

    public static func list(_ tx: Transaction, tenantID: UUID) async throws -> [PromptRecord] {
        var result: [PromptRecord] = []
        for try await (n, hash, size, duration, created) in try await tx.query("""
            SELECT name, sha256, octet_length(content)::int8, duration_ms::int8, created_at FROM prompts
            WHERE tenant_id = \(tenantID) ORDER BY name
            """).decode((String, String, Int64, Int64, Date).self) {
            result.append(PromptRecord(name: n, sha256: hash, sizeBytes: Int(size), durationMs: Int(duration), createdAt: created))
        }
        return result
    }

    public static func delete(_ tx: Transaction, tenantID: UUID, name: String) async throws -> Bool {
        var deleted = false
        for try await _ in try await tx.query("DELETE FROM prompts WHERE tenant_id = \(tenantID) AND name = \(name) RETURNING 1").decode(Int.self) { deleted = true }
        return deleted
    }

    /// The bytes of `name`, or nil.
    public static func content(_ tx: Transaction, tenantID: UUID, name: String) async throws -> [UInt8]? {
        for try await bytes in try await tx.query("SELECT content FROM prompts WHERE tenant_id = \(tenantID) AND name = \(name)").decode(ByteBuffer.self) {
            return Array(bytes.readableBytesView)
        }
        return nil
    }
}

struct PromptStoreError: Error, CustomStringConvertible {
    var description: String { "the prompt insert returned no row" }
}
