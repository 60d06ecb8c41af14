import ArgumentParser
import ControlPlaneCore
import ControlPlaneHTTP
import ControlPlanePostgres
import Foundation
import Hummingbird
import Logging
import Metrics
import PostgresSupport
import PostgresNIO
import Prometheus
import ServiceLifecycle

@main
struct ControlPlaneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control-plane",
        abstract: "The call-center platform's control plane: HTTP API, node registry, background workers.",
        subcommands: [Serve.self, Migrate.self, Dev.self],
        defaultSubcommand: Serve.self)
}

struct CommonOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (env DATABASE_URL) of the owner, who runs migrations; requests log in as cc_app_login (password derived from CC_DB_APP_SECRET or this URL's password).")
    var databaseURL: String? = ProcessInfo.processInfo.environment["DATABASE_URL"]

    @Option(help: "Listen address (env CC_HOST).")
    var host: String = ProcessInfo.processInfo.environment["CC_HOST"] ?? "127.0.0.1"

    @Option(help: "Listen port (env CC_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["CC_PORT"] ?? "") ?? 8080

    @Option(help: "Log level (env LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"

    func makeLogger() -> Logger {
        var logger = Logger(label: "control-plane")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }

    func configuration(bootstrapToken: String?) -> ControlPlaneConfiguration {
        let env = ProcessInfo.processInfo.environment
        var configuration = ControlPlaneConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.nodeBootstrapToken = bootstrapToken ?? env["CC_NODE_BOOTSTRAP_TOKEN"]
        if let cost = env["CC_BCRYPT_COST"].flatMap(UInt8.init) { configuration.bcryptCost = cost }
        if let suffix = env["CC_SIP_DOMAIN_SUFFIX"] { configuration.sipDomainSuffix = suffix }
        if let seconds = env["CC_NODE_DOWN_AFTER_SECONDS"].flatMap(Int64.init) { configuration.nodeDownAfter = .seconds(seconds) }
        if let proxies = env["CC_TRUSTED_PROXIES"] {
            configuration.trustedProxies = proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return configuration
    }
}

/// Migrates, bootstraps the first staff user if asked, and serves until SIGINT/SIGTERM.
func serve(options: CommonOptions, databaseURL: String, bootstrapToken: String?, staff: (String, String)?,
           extraServices: [any Service] = [], onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
    let logger = options.makeLogger()
    let url = try DatabaseURL(databaseURL)
    let migrator = try Migrator.bundled()
    // Migrations run as the URL's user (the owner); requests log in as cc_app_login with a password the
    // owner derives and sets here (AppDatabaseLogin explains the design).
    let appPassword = AppDatabaseLogin.password(secret: AppDatabaseLogin.secret(ownerPassword: url.password))
    try await withPostgresClient(url.configuration, logger: logger) { admin in
        _ = try await admin.withConnection { connection in
            let applied = try await migrator.migrate(connection, logger: logger)
            try await AppLoginRole.setPassword(connection, password: appPassword, logger: logger)
            return applied
        }
    }
    let applicationLogin = url.applicationLogin(user: AppDatabaseLogin.role, password: appPassword)
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let postgres = PostgresClient(configuration: applicationLogin, backgroundLogger: logger)
    let configuration = options.configuration(bootstrapToken: bootstrapToken)
    // `onReady` runs once the listener is bound (with the real port, also for --port 0).
    let app = try await buildControlPlane(configuration: configuration, postgres: postgres, metrics: registry,
                                          extraServices: extraServices, onServerRunning: onReady, logger: logger)
    if let (email, password) = staff {
        _ = try await withPostgresClient(applicationLogin, logger: logger) { client in
            try await bootstrapPlatformStaff(postgres: client, email: email, password: password,
                                             bcryptCost: configuration.bcryptCost, logger: logger)
        }
    }
    let group = ServiceGroup(configuration: .init(
        services: [.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                         failureTerminationBehavior: .gracefullyShutdownGroup)],
        gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate the database and serve the API.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        guard let databaseURL = options.databaseURL else {
            throw ValidationError("Set DATABASE_URL (or --database-url), or use `control-plane dev` for an embedded database.")
        }
        let env = ProcessInfo.processInfo.environment
        let staff = env["CC_BOOTSTRAP_STAFF_EMAIL"].flatMap { email in env["CC_BOOTSTRAP_STAFF_PASSWORD"].map { (email, $0) } }
        try await serve(options: options, databaseURL: databaseURL, bootstrapToken: nil, staff: staff)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        guard let databaseURL = options.databaseURL else { throw ValidationError("Set DATABASE_URL or --database-url.") }
        let logger = options.makeLogger()
        let migrator = try Migrator.bundled()
        let applied = try await withPostgresClient(try DatabaseURL(databaseURL).configuration, logger: logger) { admin in
            try await admin.withConnection { try await migrator.migrate($0, logger: logger) }
        }
        print(applied.isEmpty ? "Database is up to date (version \(migrator.latestVersion))."
                              : "Applied migrations \(applied.map(String.init).joined(separator: ", ")).")
    }
}
