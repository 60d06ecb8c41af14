import ArgumentParser
import Foundation
import Logging
import PostgresSupport

/// The README's run command: the whole platform on an embedded PostgreSQL in a local folder.
struct Dev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the platform locally on a private PostgreSQL cluster kept in --data-dir (DATABASE_URL overrides it).")
    @OptionGroup var options: CommonOptions

    @Option(help: "Folder for the embedded database and local secrets; reused on the next start.")
    var dataDir: String = ".data"

    struct Secrets: Codable {
        var nodeBootstrapToken: String
        var staffEmail: String
        var staffPassword: String
    }

    func run() async throws {
        let logger = options.makeLogger()
        let root = URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let secrets = try loadSecrets(root.appendingPathComponent("dev-secrets.json"))

        var embedded: EmbeddedPostgres?
        let databaseURL: String
        if let url = options.databaseURL {
            databaseURL = url
        } else {
            let cluster = EmbeddedPostgres(directory: root.appendingPathComponent("postgres"), logger: logger)
            try cluster.start()
            embedded = cluster
            databaseURL = cluster.url
        }
        defer { try? embedded?.stop() }

        let host = options.host
        try await serve(options: options, databaseURL: databaseURL, bootstrapToken: secrets.nodeBootstrapToken,
                        staff: (secrets.staffEmail, secrets.staffPassword)) { port in
            let base = "http://\(host):\(port)"
            print("""

            ── Call-center platform is running ─────────────────────────────────────────
              API           \(base)/v1   (OpenAPI description: openapi.yaml)
              Health        \(base)/healthz   \(base)/readyz   \(base)/metrics
              Database      \(databaseURL)
              Staff login   \(secrets.staffEmail) / \(secrets.staffPassword)
              Node token    \(secrets.nodeBootstrapToken)   (CC_NODE_BOOTSTRAP_TOKEN for media nodes)

              Sign up a tenant:
                curl -s -X POST \(base)/v1/signup -H 'content-type: application/json' \\
                  -d '{"tenantName":"Acme","slug":"acme","contactEmail":"ops@acme.test","adminEmail":"admin@acme.test","adminPassword":"change-me-now"}'
              Press Ctrl-C to stop (data is kept in \(root.path)).
            ─────────────────────────────────────────────────────────────────────────────

            """)
            fflush(nil)  // all C streams: the banner must appear even when stdout is a file
        }
    }

    func loadSecrets(_ file: URL) throws -> Secrets {
        if let data = try? Data(contentsOf: file), let secrets = try? JSONDecoder().decode(Secrets.self, from: data) {
            return secrets
        }
        func random(_ n: Int) -> String {
            let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
            return String((0..<n).map { _ in alphabet.randomElement()! })
        }
        let secrets = Secrets(nodeBootstrapToken: random(32), staffEmail: "staff@platform.local", staffPassword: random(16))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(secrets).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return secrets
    }
}
