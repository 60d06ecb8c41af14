import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import ServiceLifecycle

// Agent state set through the API and applied by the node that homes the tenant (issue 6).
extension APIHandler {
    func setAgentState(_ input: Operations.SetAgentState.Input) async throws -> Operations.SetAgentState.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .agentControl)
        let agentID = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let reason = body.reason?.trimmingCharacters(in: .whitespaces)
        switch body.state {
        case ._break:
            guard let reason, !reason.isEmpty else {
                throw ControlPlaneError.invalid("reason", "a break needs a reason code (e.g. lunch, training)")
            }
            try InputValidation.check([InputValidation.text(reason, field: "reason", max: 64)])
        case .available, .loggedOut:
            guard reason == nil || reason!.isEmpty else {
                throw ControlPlaneError.invalid("reason", "only a break takes a reason")
            }
        }
        var requestedBy: UUID?
        if case .user(let id, _, _) = principal.kind { requestedBy = id }
        guard let command = try await database.tenant(tenantID, { tx in
            try await AgentCommandRepository.create(tx, tenantID: tenantID, agentID: agentID, state: body.state.rawValue,
                                                    reason: body.state == ._break ? reason : nil, requestedBy: requestedBy)
        }) else { throw ControlPlaneError.notFound("agent") }
        await agentCommandSignal.notify()
        return .accepted(.init(body: .json(.init(command))))
    }

    func getAgentCommand(_ input: Operations.GetAgentCommand.Input) async throws -> Operations.GetAgentCommand.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.commandId, field: "commandId")
        guard let command = try await database.tenant(tenantID, { tx in
            try await AgentCommandRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent command") }
        return .ok(.init(body: .json(.init(command))))
    }

    func nodePollAgentCommands(_ input: Operations.NodePollAgentCommands.Input) async throws -> Operations.NodePollAgentCommands.Output {
        let nodeID = try requireNode()
        let wait = min(max(input.query.waitSeconds ?? 25, 0), 30)
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let seen = await agentCommandSignal.generation
            let commands = try await database.platform { tx in
                try await AgentCommandRepository.deliver(tx, nodeID: nodeID)
            }
            if !commands.isEmpty || ContinuousClock.now >= deadline || Task.isShuttingDownGracefully {
                return .ok(.init(body: .json(.init(commands: commands.map(Components.Schemas.AgentCommand.init)))))
            }
            // The server waits for requests in flight when it shuts down: a long-poll ends at once then.
            let signal = agentCommandSignal
            await withGracefulShutdownHandler {
                await signal.wait(after: seen, until: deadline)
            } onGracefulShutdown: {
                Task { await signal.notify() }
            }
            try Task.checkCancellation() // the node went away
        }
    }

    func nodeReportAgentCommand(_ input: Operations.NodeReportAgentCommand.Input) async throws -> Operations.NodeReportAgentCommand.Output {
        let nodeID = try requireNode()
        let id = try uuid(input.path.commandId, field: "commandId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([body.detail.flatMap { InputValidation.text($0, field: "detail", max: 500) }])
        guard try await database.platform({ tx in
            try await AgentCommandRepository.complete(tx, nodeID: nodeID, id: id, applied: body.applied, detail: body.detail)
        }) else { throw ControlPlaneError.notFound("agent command delivered to this node") }
        return .noContent(.init())
    }
}

extension Components.Schemas.AgentCommand {
    init(_ r: AgentCommandRecord) {
        self.init(id: r.id.wire, tenantId: r.tenantID.wire, agentId: r.agentID.wire, state: .init(rawValue: r.state) ?? .available,
                  reason: r.reason, status: .init(rawValue: r.status) ?? .pending, detail: r.detail, createdAt: r.createdAt,
                  completedAt: r.completedAt)
    }
}
