import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

public enum PromptRepository {
    /// Stores or replaces `name`.
    public static func upsert(_ c: PostgresConnection, tenantID: UUID, name: String, content: [UInt8], sha256: String,
                              durationMs: Int, logger: Logger) async throws -> PromptRecord {
        try await QuotaRepository.reservePrompt(c, tenantID: tenantID, name: name, sizeBytes: content.count, logger: logger)
        let bytes = ByteBuffer(bytes: content)
        for try await (n, hash, size, duration, created) in try await c.query("""
            INSERT INTO prompts (tenant_id, name, content, sha256, duration_ms) VALUES (\(tenantID), \(name), \(bytes), \(sha256), \(durationMs))
            ON CONFLICT (tenant_id, name) DO UPDATE SET content = EXCLUDED.content, sha256 = EXCLUDED.sha256,
                duration_ms = EXCLUDED.duration_ms, created_at = now()
            RETURNING name, sha256, octet_length(content)::int8, duration_ms::int8, created_at
            """, logger: logger).decode((String, String, Int64, Int64, Date).self) {
            return PromptRecord(name: n, sha256: hash, sizeBytes: Int(size), durationMs: Int(duration), createdAt: created)
        }
        throw PromptStoreError()
    }

    public static func list(_ c: PostgresConnection, tenantID: UUID, logger: Logger) async throws -> [PromptRecord] {
        var result: [PromptRecord] = []
        for try await (n, hash, size, duration, created) in try await c.query("""
            SELECT name, sha256, octet_length(content)::int8, duration_ms::int8, created_at FROM prompts
            WHERE tenant_id = \(tenantID) ORDER BY name
            """, logger: logger).decode((String, String, Int64, Int64, Date).self) {
            result.append(PromptRecord(name: n, sha256: hash, sizeBytes: Int(size), durationMs: Int(duration), createdAt: created))
        }
        return result
    }

    public static func delete(_ c: PostgresConnection, tenantID: UUID, name: String, logger: Logger) async throws -> Bool {
        var deleted = false
        for try await _ in try await c.query("DELETE FROM prompts WHERE tenant_id = \(tenantID) AND name = \(name) RETURNING 1",
                                             logger: logger).decode(Int.self) { deleted = true }
        return deleted
    }

    /// The bytes of `name`, or nil.
    public static func content(_ c: PostgresConnection, tenantID: UUID, name: String, logger: Logger) async throws -> [UInt8]? {
        for try await bytes in try await c.query("SELECT content FROM prompts WHERE tenant_id = \(tenantID) AND name = \(name)",
                                                 logger: logger).decode(ByteBuffer.self) {
            return Array(bytes.readableBytesView)
        }
        return nil
    }
}

struct PromptStoreError: Error, CustomStringConvertible {
    var description: String { "the prompt insert returned no row" }
}
