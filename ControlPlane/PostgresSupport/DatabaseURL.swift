import Foundation
import Logging
import PostgresNIO

/// PostgreSQL connection settings from a `postgres://user:password@host:port/database` URL. A
/// `host=/path` query item selects a Unix socket directory (as libpq does).
public struct DatabaseURL: Sendable {
    public var configuration: PostgresClient.Configuration

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw DatabaseURLError(description: "DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let user = components.user ?? "postgres"
        let password = components.password
        let database = components.path.isEmpty ? nil : String(components.path.dropFirst())
        let socketDirectory = components.queryItems?.first { $0.name == "host" }?.value
        if let socketDirectory {
            let port = components.port ?? 5432
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
            let tls: PostgresClient.Configuration.TLS = switch sslmode {
            case "disable": .disable
            case "require", "verify-full", "verify-ca": .require(.makeClientConfiguration())
            default: .prefer(.makeClientConfiguration())
            }
            configuration = PostgresClient.Configuration(
                host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: user, password: password,
                database: database, tls: tls)
        }
    }

    /// The owner's password in the URL, if any.
    public var password: String? { configuration.password }

    /// The same server and database, logging in as the request pool's own role (`user`, a member of
    /// cc_app only; see AppDatabaseLogin), so row-level security applies and no role switch in a
    /// statement can reach the owner.
    public func applicationLogin(user: String, password: String) -> PostgresClient.Configuration {
        var configuration = self.configuration
        configuration.username = user
        configuration.password = password
        configuration.options.additionalStartupParameters = [("application_name", "control-plane")]
        return configuration
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public var description: String
}

/// Runs `body` with a connected, running client, then shuts the client down.
public func withPostgresClient<Result: Sendable>(
    _ configuration: PostgresClient.Configuration, logger: Logger,
    _ body: @Sendable (PostgresClient) async throws -> Result
) async throws -> Result {
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { await client.run(); return nil }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
