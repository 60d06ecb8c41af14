import Crypto
import Foundation
import Logging
import PostgresNIO

/// One versioned SQL migration (`Migrations/NNNN_name.sql`).
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String
    public var checksum: String { SHA256.hash(data: Array(sql.utf8)).map { String(format: "%02x", $0) }.joined() }
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Applies versioned migrations, recording each in `schema_migrations`. Safe to run twice and from
/// several processes at once (an advisory lock serialises them); refuses a database newer than the code
/// and a migration whose text changed after it was applied.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    static let lockKey: Int64 = 0x43_43_4D_49_47  // "CCMIG"

    public init(migrations: [Migration]) { self.migrations = migrations.sorted { $0.version < $1.version } }

    /// The migrations shipped with this build.
    public static func bundled() throws -> Migrator {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError(description: "the Migrations resource folder is missing from the build")
        }
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let migrations = try files.map { url -> Migration in
            let base = url.deletingPathExtension().lastPathComponent
            guard let underscore = base.firstIndex(of: "_"), let version = Int(base[..<underscore]) else {
                throw MigrationError(description: "migration file \(url.lastPathComponent) is not named NNNN_name.sql")
            }
            return Migration(version: version, name: String(base[base.index(after: underscore)...]),
                             sql: try String(contentsOf: url, encoding: .utf8))
        }
        return Migrator(migrations: migrations)
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is missing; returns the versions applied now.
    @discardableResult
    public func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        return try await unwrappingTransactionErrors { try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            var applied: [Int: String] = [:]
            for try await (version, checksum) in try await connection.query(
                "SELECT version, checksum FROM schema_migrations", logger: logger).decode((Int, String).self) {
                applied[version] = checksum
            }
            if let newest = applied.keys.max(), newest > latestVersion {
                throw MigrationError(description: "the database is at schema version \(newest) but this build knows only up to \(latestVersion); run a newer build")
            }
            var appliedNow: [Int] = []
            for migration in migrations {
                if let checksum = applied[migration.version] {
                    guard checksum == migration.checksum else {
                        throw MigrationError(description: "migration \(migration.version)_\(migration.name) changed after it was applied; add a new migration instead")
                    }
                    continue
                }
                logger.info("applying migration", metadata: ["migration": "\(migration.version)_\(migration.name)"])
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
                appliedNow.append(migration.version)
            }
            return appliedNow
        } }
    }
}
