import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension WakeSignal: AgentCommandNotifier {}

extension APIHandler {
    var agents: AgentUseCases { AgentUseCases(work: database, commands: agentCommandSignal) }

    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await agents.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Agent.init), nextCursor: result.nextCursor))))
    }

    func createAgent(_ input: Operations.CreateAgent.Input) async throws -> Operations.CreateAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let created = try await agents.create(tenantID: tenantID, name: body.name, phoneExtension: body._extension,
                                              sipUsername: body.sipUsername, userID: try optionalUUID(body.userId, field: "userId"))
        return .created(.init(headers: .init(location: ResourceLocation.agent(created.agent.id)), body: .json(.init(created))))
    }

    func getAgent(_ input: Operations.GetAgent.Input) async throws -> Operations.GetAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let agent = try await agents.get(tenantID: tenantID, id: try uuid(input.path.agentId, field: "agentId"))
        return .ok(.init(body: .json(.init(agent))))
    }

    func updateAgent(_ input: Operations.UpdateAgent.Input) async throws -> Operations.UpdateAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let agent = try await agents.update(tenantID: tenantID, id: id, name: body.name, phoneExtension: body._extension,
                                            userID: try optionalUUID(body.userId, field: "userId"))
        return .ok(.init(body: .json(.init(agent))))
    }

    func deleteAgent(_ input: Operations.DeleteAgent.Input) async throws -> Operations.DeleteAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        try await agents.delete(tenantID: tenantID, id: try uuid(input.path.agentId, field: "agentId"))
        return .noContent(.init())
    }

    func rotateAgentSipSecret(_ input: Operations.RotateAgentSipSecret.Input) async throws -> Operations.RotateAgentSipSecret.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let rotated = try await agents.rotateSIPSecret(tenantID: tenantID, id: try uuid(input.path.agentId, field: "agentId"))
        return .ok(.init(body: .json(.init(rotated))))
    }

    func setAgentSkills(_ input: Operations.SetAgentSkills.Input) async throws -> Operations.SetAgentSkills.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON array body.") }
        let skills = try body.enumerated().map { index, skill in
            AgentSkillLevel(skillID: try uuid(skill.skillId, field: "[\(index)].skillId"), level: skill.level)
        }
        let agent = try await agents.setSkills(tenantID: tenantID, id: id, skills: skills)
        return .ok(.init(body: .json(.init(agent))))
    }

    func setAgentState(_ input: Operations.SetAgentState.Input) async throws -> Operations.SetAgentState.Output {
        let principal = try RequestPrincipal.require()
        let tenantID = try principal.tenant(for: .agentControl)
        let agentID = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        var requestedBy: UUID?
        if case .user(let id, _, _) = principal.kind { requestedBy = id }
        let command = try await agents.requestState(tenantID: tenantID, agentID: agentID, state: .init(body.state),
                                                    reason: body.reason, requestedBy: requestedBy)
        return .accepted(.init(body: .json(.init(command))))
    }

    func getAgentCommand(_ input: Operations.GetAgentCommand.Input) async throws -> Operations.GetAgentCommand.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let command = try await agents.command(tenantID: tenantID, id: try uuid(input.path.commandId, field: "commandId"))
        return .ok(.init(body: .json(.init(command))))
    }
}
