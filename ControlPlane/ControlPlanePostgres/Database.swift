import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

/// The control plane's access to PostgreSQL. Every unit of work is a transaction in an explicit
/// scope that row-level security checks:
/// * `tenant(_:)` sets `app.tenant_id`, so only that tenant's rows are visible or writable;
/// * `platform(_:)` sets `app.scope = 'platform'`, used only by platform-staff routes, signup,
///   credential lookups and node traffic.
/// The pool logs in as `cc_app_login`, whose only membership is `cc_app` (no BYPASSRLS, owns
/// nothing; see `AppDatabaseLogin`), so the policies apply to every statement and no `SET ROLE`
/// reaches the owner. Bodies get a `Transaction`, the handle every repository takes.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Runs `body` in a transaction that can see only `tenantID`'s rows.
    public func tenant<Result: Sendable>(
        _ tenantID: UUID, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await unwrappingTransactionErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT set_config('app.tenant_id', \(tenantID.uuidString), true)", logger: logger)
                return try await body(Transaction(connection: connection, logger: logger, scope: .tenant(tenantID)))
            }
        }
    }

    /// Runs `body` in a transaction with platform scope (all tenants' rows).
    public func platform<Result: Sendable>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        try await unwrappingTransactionErrors {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT set_config('app.scope', 'platform', true)", logger: logger)
                return try await body(Transaction(connection: connection, logger: logger, scope: .platform))
            }
        }
    }

    /// True when the database answers.
    public func ping() async -> Bool {
        do {
            try await client.query("SELECT 1", logger: logger)
            return true
        } catch {
            return false
        }
    }
}

/// One unit of work: a transaction `Database.tenant` or `Database.platform` opened, with its
/// row-level-security scope set. Repositories take one, so a repository call is always inside a
/// transaction of a known scope, several calls share it, and none can be made on a bare connection.
/// Only `Database` makes them.
public struct Transaction: Sendable {
    public enum Scope: Sendable, Equatable {
        case tenant(UUID)
        case platform
    }

    let connection: PostgresConnection
    public let logger: Logger
    public let scope: Scope

    /// Runs one statement of this transaction.
    @discardableResult
    func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await connection.query(query, logger: logger, file: file, line: line)
    }
}

/// Rethrows the error a transaction's body threw (after PostgresNIO rolled back), so use-case errors
/// reach the HTTP layer as themselves.
func unwrappingTransactionErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as PostgresTransactionError {
        if let closureError = error.closureError { throw closureError }
        throw error
    }
}

extension Error {
    /// The SQLSTATE of a PostgreSQL error, if this is one.
    var sqlState: String? { (self as? PSQLError)?.serverInfo?[.sqlState] }
    var constraintName: String? { (self as? PSQLError)?.serverInfo?[.constraintName] }
}

/// Maps a unique-violation from `body` to a 409 with `detail`; other errors pass through.
func mapConflicts<Result>(_ detail: (String?) -> String, _ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error where error.sqlState == "23505" {
        throw ControlPlaneError(.conflict, detail(error.constraintName))
    } catch let error where error.sqlState == "23503" {
        throw ControlPlaneError(.validationFailed, "A referenced object does not exist in your tenant (\(error.constraintName ?? "foreign key")).")
    }
}

/// Keyset pagination helpers shared by the repositories.
enum Paging {
    /// Micro-seconds since the Unix epoch, the cursor's time unit, computed in SQL to stay exact.
    static let cursorColumn = "(extract(epoch from created_at) * 1000000)::int8"

    static func after(_ cursor: PageCursor?) -> (has: Bool, micros: Int64, id: UUID) {
        (cursor != nil, cursor?.microseconds ?? 0, cursor?.id ?? UUID(uuid: (0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)))
    }

    /// Cuts `rows` (fetched with limit + 1) into a page.
    static func page<Item>(_ rows: [(item: Item, micros: Int64, id: UUID)], limit: Int) -> Page<Item> {
        let items = rows.prefix(limit)
        let next = rows.count > limit ? items.last.map { PageCursor(microseconds: $0.micros, id: $0.id).encoded } : nil
        return Page(items: items.map(\.item), nextCursor: next)
    }
}
