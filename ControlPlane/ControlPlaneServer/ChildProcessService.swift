import Foundation
import Logging
import ServiceLifecycle

/// The run command's start-up after the API listens, as a service: `serverRunning(port:)` hands it
/// the port; `prepare` then runs (it may call the API — the server accepts connections only after
/// its own start-up callback returns, so this must not run inside that callback) and returns the
/// arguments of a child process (the media node), or nil for none. The child's output goes to a log
/// file; graceful shutdown sends it SIGTERM (the media node drains its calls) and waits for it.
final class ChildProcessService: Service, Sendable {
    private let executable: URL?
    private let logFile: URL
    private let logger: Logger
    private let prepare: @Sendable (Int) async -> [String]?
    private let ports: AsyncStream<Int>
    private let portsContinuation: AsyncStream<Int>.Continuation

    init(executable: URL?, logFile: URL, logger: Logger, prepare: @escaping @Sendable (Int) async -> [String]?) {
        self.executable = executable
        self.logFile = logFile
        self.logger = logger
        self.prepare = prepare
        (ports, portsContinuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    func serverRunning(port: Int) {
        portsContinuation.yield(port)
    }

    func run() async throws {
        let port: Int? = await cancelWhenGracefulShutdown {
            var iterator = self.ports.makeAsyncIterator()
            return await iterator.next()
        }
        guard let port else { return }
        guard let arguments = await prepare(port), let executable else {
            try? await gracefulShutdown()  // nothing to supervise: stay until the platform stops
            return
        }
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        let (exited, exit) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exit.yield($0.terminationStatus); exit.finish() }
        try process.run()
        let pid = process.processIdentifier
        logger.info("started \(executable.lastPathComponent)", metadata: ["pid": "\(pid)", "log": "\(logFile.path)"])
        let status = await withGracefulShutdownHandler {
            var it = exited.makeAsyncIterator()
            return await it.next() ?? -1
        } onGracefulShutdown: {
            kill(pid, SIGTERM)
        }
        logger.info("\(executable.lastPathComponent) exited", metadata: ["status": "\(status)"])
        if !Task.isShuttingDownGracefully { try? await gracefulShutdown() } // it died on its own: keep the API up
    }
}
