import ArgumentParser
import ControlPlaneDemo
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

    @Option(help: "The media-node executable to start (default: the one next to this executable).")
    var mediaNode: String?

    @Flag(help: "Do not start a media node.")
    var noMediaNode = false

    @Flag(help: "Do not create the demo tenant (a number, a queue and two agents).")
    var noDemo = false

    @Option(help: "SIP port of the media node (UDP and TCP, on --host).")
    var sipPort: Int = 5060

    @Option(help: "RTP port range of the media node.")
    var rtpPorts: String = "20000-20999"

    @Option(help: "Port of the media node's admin listener on 127.0.0.1 (/healthz, /readyz, /metrics).")
    var nodeAdminPort: Int = 9090

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
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("media-node")
        let nodeExecutable = noMediaNode ? nil
            : mediaNode.map { URL(fileURLWithPath: $0) } ?? (FileManager.default.isExecutableFile(atPath: sibling.path) ? sibling : nil)
        let (noDemo, sipPort, rtpPorts, adminPort) = (self.noDemo, self.sipPort, self.rtpPorts, self.nodeAdminPort)
        let startup = ChildProcessService(executable: nodeExecutable, logFile: root.appendingPathComponent("media-node.log"),
                                          logger: logger) { port in
            let base = "http://\(host):\(port)"
            var demo: DemoTenant?
            if !noDemo {
                do {
                    demo = try await DemoTenant.loadOrCreate(file: root.appendingPathComponent("demo.json"), api: base,
                                                             staffEmail: secrets.staffEmail, staffPassword: secrets.staffPassword)
                } catch {
                    logger.error("the demo tenant could not be created", metadata: ["error": "\(error)"])
                }
            }
            Self.printBanner(base: base, databaseURL: databaseURL, secrets: secrets, root: root, demo: demo,
                             node: nodeExecutable.map { _ in "\(host):\(sipPort)" }, nodeAdmin: "http://127.0.0.1:\(adminPort)")
            guard nodeExecutable != nil else { return nil }
            return ["--control-plane-url", base, "--bootstrap-token", secrets.nodeBootstrapToken,
                    "--sip-listen", "\(host):\(sipPort)", "--rtp-ports", rtpPorts,
                    "--data-dir", root.appendingPathComponent("node").path, "--name", "dev-node",
                    "--admin-listen", "127.0.0.1:\(adminPort)"]
        }
        try await serve(options: options, databaseURL: databaseURL, bootstrapToken: secrets.nodeBootstrapToken,
                        staff: (secrets.staffEmail, secrets.staffPassword), extraServices: [startup]) { port in
            startup.serverRunning(port: port)
        }
    }

    static func printBanner(base: String, databaseURL: String, secrets: Secrets, root: URL, demo: DemoTenant?, node: String?,
                            nodeAdmin: String) {
        var text = """

        ── Call-center platform is running ─────────────────────────────────────────
          API           \(base)/v1   (OpenAPI description: openapi.yaml)
          Health        \(base)/healthz   \(base)/readyz   \(base)/metrics
          Database      \(databaseURL)
          Staff login   \(secrets.staffEmail) / \(secrets.staffPassword)
          Node token    \(secrets.nodeBootstrapToken)   (CC_NODE_BOOTSTRAP_TOKEN for media nodes)

        """
        if let node {
            text += "  Media node    SIP \(node) (UDP/TCP), log \(root.appendingPathComponent("media-node.log").path)\n"
            text += "  Node health   \(nodeAdmin)/healthz   \(nodeAdmin)/readyz   \(nodeAdmin)/metrics\n"
        } else {
            text += "  Media node    not started (build it: swift build -c release --product media-node)\n"
        }
        if let demo {
            text += """

              Demo tenant   "\(demo.slug)": admin \(demo.adminEmail) / \(demo.adminPassword), API key \(demo.apiKey)
                Agents register their softphones (registrar and proxy \(node ?? "the media node")):

            """
            for a in demo.agents {
                text += "      \(a.name): user \(a.username), domain \(demo.sipDomain), password \(a.password)\n"
            }
            text += """
                Then call the number: sip:\(demo.did)@\(node ?? "<media node>")  → menu (Mandarin; 1 for English)
                → queue "Support" → a ready agent.

            """
        }
        text += """

          Sign up your own tenant:
            curl -s -X POST \(base)/v1/signup -H 'content-type: application/json' \\
              -d '{"tenantName":"Acme","slug":"acme","contactEmail":"ops@acme.test","adminEmail":"admin@acme.test","adminPassword":"change-me-now"}'
          Press Ctrl-C to stop (data is kept in \(root.path)).
        ─────────────────────────────────────────────────────────────────────────────

        """
        print(text)
        fflush(nil)  // all C streams: the banner must appear even when stdout is a file
    }

    func loadSecrets(_ file: URL) throws -> Secrets {
        if let secrets = LocalSecrets.load(Secrets.self, from: file) { return secrets }
        let secrets = Secrets(nodeBootstrapToken: LocalSecrets.randomToken(32), staffEmail: "staff@platform.local",
                              staffPassword: LocalSecrets.randomToken(16))
        try LocalSecrets.save(secrets, to: file)
        return secrets
    }
}
