package import ControlPlaneAPI
package import Logging
import OpenAPIRuntime
package import ServiceLifecycle

/// Long-polls the control plane for agent state commands of the tenants this node homes, hands
/// each to `apply` (the call runtime's ACD) and reports the outcome. A command whose result could
/// not be reported is handed out again by the control plane; applying a state twice is harmless.
/// The client must allow requests longer than `waitSeconds` (`NodeChannel.authenticatedClient(timeout:)`).
package final class AgentCommandPoller: Service, Sendable {
    package typealias Command = Components.Schemas.AgentCommand
    /// Applies a command; returns nil when done, or why it could not be (for the person who asked).
    package typealias Apply = @Sendable (Command) async -> String?

    private let clientProvider: @Sendable () async -> Client?
    private let apply: Apply
    private let waitSeconds: Int
    private let backoff: RetryBackoff
    private let logger: Logger

    package init(waitSeconds: Int = 25, backoff: RetryBackoff = RetryBackoff(base: .milliseconds(500), maximum: .seconds(15)),
                 logger: Logger = Logger(label: "agent-commands"), clientProvider: @escaping @Sendable () async -> Client?,
                 apply: @escaping Apply) {
        self.waitSeconds = waitSeconds
        self.backoff = backoff
        self.logger = logger
        self.clientProvider = clientProvider
        self.apply = apply
    }

    package func run() async throws {
        // Shutdown cancels the poll in flight; that is the normal end, not a failure of the service.
        try? await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await self.pollOnce()
                    failures = 0
                } catch {
                    if Task.isCancelled { return }
                    if failures == 0 { self.logger.warning("agent commands unavailable; retrying", metadata: ["error": "\(error)"]) }
                    try? await Task.sleep(for: self.backoff.delay(attempt: failures))
                    failures += 1
                }
            }
        }
    }

    /// One long-poll and the commands it returned.
    package func pollOnce() async throws {
        guard let client = await clientProvider() else { throw ControlPlaneClientError.notRegistered }
        let commands: [Command]
        switch try await client.nodePollAgentCommands(query: .init(waitSeconds: waitSeconds)) {
        case .ok(let ok):
            commands = try ok.body.json.commands
        case .badRequest(let response):
            throw ControlPlaneClientError.declared(400, response)
        case .unauthorized(let response):
            throw ControlPlaneClientError.declared(401, response)
        case .forbidden(let response):
            throw ControlPlaneClientError.declared(403, response)
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.declared(422, response)
        case .default(let status, let problem):
            throw ControlPlaneClientError.status(status, detail: problem.detailText)
        }
        for command in commands {
            let failure = await apply(command)
            logger.info("agent command", metadata: ["command": "\(command.id)", "agent": "\(command.agentId)",
                                                    "state": "\(command.state.rawValue)", "result": "\(failure ?? "applied")"])
            switch try await client.nodeReportAgentCommand(path: .init(commandId: command.id),
                                                           body: .json(.init(applied: failure == nil, detail: failure))) {
            case .noContent:
                continue
            case .badRequest(let response):
                throw ControlPlaneClientError.declared(400, response)
            case .unauthorized(let response):
                throw ControlPlaneClientError.declared(401, response)
            case .forbidden(let response):
                throw ControlPlaneClientError.declared(403, response)
            case .notFound(let response):
                throw ControlPlaneClientError.declared(404, response)
            case .conflict(let response):
                throw ControlPlaneClientError.declared(409, response)
            case .contentTooLarge(let response):
                throw ControlPlaneClientError.declared(413, response)
            case .unprocessableContent(let response):
                throw ControlPlaneClientError.declared(422, response)
            case .default(let status, let problem):
                throw ControlPlaneClientError.status(status, detail: problem.detailText)
            }
        }
    }
}
