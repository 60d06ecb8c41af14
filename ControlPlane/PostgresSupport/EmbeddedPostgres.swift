#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging

/// A private PostgreSQL cluster in a local folder, for the run command and the tests.
///
/// The server listens only on a Unix socket inside the folder (no TCP port to collide with), trusts
/// local connections, and is created by `initdb` on first start and reused afterwards. PostgreSQL
/// refuses to run as root, so when the current user is root the cluster is owned by and run as the
/// `postgres` system user (via `runuser`).
public struct EmbeddedPostgres: Sendable {
    public let directory: URL
    public let port: Int
    let logger: Logger

    public init(directory: URL, port: Int = 5432, logger: Logger) {
        self.directory = directory
        self.port = port
        self.logger = logger
    }

    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var socketDirectory: URL { directory.appendingPathComponent("run") }
    public var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// The superuser URL of the cluster.
    public var url: String { "postgres://postgres@localhost:\(port)/postgres?host=\(socketDirectory.path)" }

    /// Creates the cluster if needed and starts it, waiting until it accepts connections.
    public func start(fsync: Bool = true) throws {
        let bin = try Self.binDirectory()
        let fm = FileManager.default
        try fm.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        let asRoot = geteuid() == 0
        if asRoot {
            try Self.run("/bin/chown", ["postgres", directory.path, socketDirectory.path])
            if fm.fileExists(atPath: dataDirectory.path) { try Self.run("/bin/chown", ["-R", "postgres", dataDirectory.path]) }
            if fm.fileExists(atPath: logFile.path) { try Self.run("/bin/chown", ["postgres", logFile.path]) }
        }
        if !fm.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            logger.info("creating PostgreSQL cluster", metadata: ["directory": "\(dataDirectory.path)"])
            try runPG(bin + "/initdb", ["-D", dataDirectory.path, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                                        "--no-locale", "--no-sync"], asRoot: asRoot)
        }
        if try isRunning(bin: bin, asRoot: asRoot) { return }
        var options = "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory.path)' -p \(port)"
        options += " -c max_connections=200 -c shared_buffers=64MB"
        if !fsync { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        try runPG(bin + "/pg_ctl", ["-D", dataDirectory.path, "-o", options, "-l", logFile.path, "-w", "-t", "60", "start"],
                  asRoot: asRoot)
    }

    /// Stops the cluster (fast shutdown: disconnects clients, then checkpoints).
    public func stop(mode: String = "fast") throws {
        let bin = try Self.binDirectory()
        try runPG(bin + "/pg_ctl", ["-D", dataDirectory.path, "-m", mode, "-w", "stop"], asRoot: geteuid() == 0)
    }

    func isRunning(bin: String, asRoot: Bool) throws -> Bool {
        (try? runPG(bin + "/pg_ctl", ["-D", dataDirectory.path, "status"], asRoot: asRoot)) != nil
    }

    func runPG(_ tool: String, _ arguments: [String], asRoot: Bool) throws {
        if asRoot {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
        } else {
            try Self.run(tool, arguments)
        }
    }

    /// PostgreSQL's server programs: `$PG_BINDIR`, `pg_config --bindir`, or the newest /usr/lib/postgresql/N/bin.
    public static func binDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["PG_BINDIR"] { return dir }
        if let output = try? capture("/usr/bin/env", ["pg_config", "--bindir"]),
           case let dir = output.trimmingCharacters(in: .whitespacesAndNewlines),
           FileManager.default.fileExists(atPath: dir + "/initdb") {
            return dir
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root))?.compactMap(Int.init).sorted() ?? []
        if let newest = versions.last { return "\(root)/\(newest)/bin" }
        throw EmbeddedPostgresError(description: "PostgreSQL server binaries not found; install the 'postgresql' package or set PG_BINDIR")
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        try capture(executable, arguments)
    }

    /// Runs a program and returns its output. Uses posix_spawn + waitpid rather than Foundation's
    /// `Process`, whose exit detection waits for an inherited descriptor to close: `pg_ctl start`
    /// leaves the server running with everything it inherited, so `Process` would never see the exit.
    static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("pgsupport-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw EmbeddedPostgresError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw EmbeddedPostgresError(description: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
        }
        return text
    }
}

public struct EmbeddedPostgresError: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
