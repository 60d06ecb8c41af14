#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// The private PostgreSQL server shared by every database test in one test run.
///
/// * `DATABASE_URL` set: that server is used (the role must be allowed to create databases).
/// * Otherwise one embedded cluster is started in a temporary folder on first use (fsync off — test
///   data is disposable) and stopped when the test process exits, even if it crashes: a watchdog
///   shell waits for this process to go away, then stops the cluster and removes the folder.
///
/// Each test gets its own database, created from a template database that `prepare` (migrations)
/// ran on once per template name, so tests are isolated and fast (a copy, not a migration).
public actor TestPostgres {
    public static let shared = TestPostgres()

    private var serverURL: DatabaseURL?
    private var serverURLText: String?
    private var templates: [String: Task<Void, any Error>] = [:]
    private var counter = 0
    private let logger = Logger(label: "test-postgres")

    /// A fresh database cloned from template `template`; `prepare` runs once per template.
    public func database(
        template: String, prepare: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void
    ) async throws -> PostgresClient.Configuration {
        let server = try serverConfiguration()
        let templateName = "tpl_\(template)"
        if templates[templateName] == nil {
            let logger = self.logger
            templates[templateName] = Task {
                try await withPostgresClient(server.configuration, logger: logger) { admin in
                    try await admin.query("DROP DATABASE IF EXISTS \(unescaped: templateName)", logger: logger)
                    try await admin.query("CREATE DATABASE \(unescaped: templateName)", logger: logger)
                }
                var configuration = server.configuration
                configuration.database = templateName
                try await withPostgresClient(configuration, logger: logger) { client in
                    try await client.withConnection { try await prepare($0, logger) }
                }
            }
        }
        try await templates[templateName]!.value
        counter += 1
        let name = "t_\(getpid())_\(counter)"
        let logger = self.logger
        try await withPostgresClient(server.configuration, logger: logger) { admin in
            try await admin.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: templateName)", logger: logger)
        }
        var configuration = server.configuration
        configuration.database = name
        return configuration
    }

    /// Like ``database(template:prepare:)``, as a `postgres://` URL for another process (a
    /// `control-plane serve` the test starts and stops).
    public func databaseURL(
        template: String, prepare: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void
    ) async throws -> String {
        let configuration = try await database(template: template, prepare: prepare)
        guard let text = serverURLText, var components = URLComponents(string: text), let name = configuration.database else {
            throw NoServerURL()
        }
        components.path = "/" + name
        return components.string ?? text
    }

    private func serverConfiguration() throws -> DatabaseURL {
        if let serverURL { return serverURL }
        let url: DatabaseURL
        if let text = ProcessInfo.processInfo.environment["DATABASE_URL"] {
            url = try DatabaseURL(text)
            serverURLText = text
        } else {
            let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cc-test-pg-\(getpid())")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let cluster = EmbeddedPostgres(directory: directory, logger: logger)
            try cluster.start(fsync: false)
            try Self.startWatchdog(cluster: cluster)
            url = try DatabaseURL(cluster.url)
            serverURLText = cluster.url
        }
        serverURL = url
        return url
    }

    /// Stops the cluster once this process has exited.
    private static func startWatchdog(cluster: EmbeddedPostgres) throws {
        let bin = try EmbeddedPostgres.binDirectory()
        let stop = geteuid() == 0
            ? "runuser -u postgres -- \(bin)/pg_ctl -D '\(cluster.dataDirectory.path)' -m immediate stop"
            : "\(bin)/pg_ctl -D '\(cluster.dataDirectory.path)' -m immediate stop"
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop) >/dev/null 2>&1; rm -rf '\(cluster.directory.path)'"
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc): survive a Ctrl-C to the test run
        let arguments: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard result == 0 else { throw EmbeddedPostgresError(description: "cannot start the PostgreSQL watchdog: \(result)") }
    }
}

struct NoServerURL: Error, CustomStringConvertible {
    var description: String { "the test PostgreSQL server has no URL to hand to another process" }
}
