import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listAgents(_ input: Operations.ListAgents.Input) async throws -> Operations.ListAgents.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await AgentRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Agent.init), nextCursor: result.nextCursor))))
    }

    func createAgent(_ input: Operations.CreateAgent.Input) async throws -> Operations.CreateAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            InputValidation.text(body.name, field: "name", max: 200),
            InputValidation.phoneExtension(body._extension),
            InputValidation.sipUsername(body.sipUsername),
        ])
        let userID = try optionalUUID(body.userId, field: "userId")
        let (agent, credentials, domain) = try await database.tenant(tenantID) { tx in
            guard let tenant = try await TenantRepository.get(tx, id: tenantID) else {
                throw ControlPlaneError.notFound("tenant")
            }
            if let userID, try await UserRepository.get(tx, tenantID: tenantID, id: userID) == nil {
                throw ControlPlaneError.invalid("userId", "user \(userID) does not exist in your tenant")
            }
            let agent = AgentRecord(id: UUID(), tenantID: tenantID, userID: userID, name: body.name,
                                    phoneExtension: body._extension, sipUsername: body.sipUsername, skills: [], createdAt: Date())
            let credentials = SIPCredentials.generate(username: body.sipUsername, realm: tenant.sipDomain)
            try await AgentRepository.insert(tx, agent, credentials: credentials)
            return (agent, credentials, tenant.sipDomain)
        }
        return .created(.init(headers: .init(location: ResourceLocation.agent(agent.id)),
                              body: .json(.init(agent: .init(agent), sipSecret: credentials.secret, sipDomain: domain))))
    }

    func getAgent(_ input: Operations.GetAgent.Input) async throws -> Operations.GetAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard let agent = try await database.tenant(tenantID, { tx in
            try await AgentRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent") }
        return .ok(.init(body: .json(.init(agent))))
    }

    func updateAgent(_ input: Operations.UpdateAgent.Input) async throws -> Operations.UpdateAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            body.name.flatMap { InputValidation.text($0, field: "name", max: 200) },
            body._extension.flatMap { InputValidation.phoneExtension($0) },
        ])
        let userID = try optionalUUID(body.userId, field: "userId")
        guard let agent = try await database.tenant(tenantID, { tx in
            if let userID, try await UserRepository.get(tx, tenantID: tenantID, id: userID) == nil {
                throw ControlPlaneError.invalid("userId", "user \(userID) does not exist in your tenant")
            }
            return try await AgentRepository.update(tx, tenantID: tenantID, id: id, name: body.name,
                                                    phoneExtension: body._extension, userID: userID)
        }) else { throw ControlPlaneError.notFound("agent") }
        return .ok(.init(body: .json(.init(agent))))
    }

    func deleteAgent(_ input: Operations.DeleteAgent.Input) async throws -> Operations.DeleteAgent.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard try await database.tenant(tenantID, { tx in
            try await AgentRepository.delete(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent") }
        return .noContent(.init())
    }

    func rotateAgentSipSecret(_ input: Operations.RotateAgentSipSecret.Input) async throws -> Operations.RotateAgentSipSecret.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        let (agent, credentials, domain) = try await database.tenant(tenantID) { tx in
            guard let tenant = try await TenantRepository.get(tx, id: tenantID),
                  let agent = try await AgentRepository.get(tx, tenantID: tenantID, id: id) else {
                throw ControlPlaneError.notFound("agent")
            }
            let credentials = SIPCredentials.generate(username: agent.sipUsername, realm: tenant.sipDomain)
            _ = try await AgentRepository.setCredentials(tx, tenantID: tenantID, id: id, credentials: credentials)
            return (agent, credentials, tenant.sipDomain)
        }
        return .ok(.init(body: .json(.init(agent: .init(agent), sipSecret: credentials.secret, sipDomain: domain))))
    }

    func setAgentSkills(_ input: Operations.SetAgentSkills.Input) async throws -> Operations.SetAgentSkills.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.agentId, field: "agentId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON array body.") }
        var issues: [ValidationIssue?] = []
        var levels: [AgentSkillLevel] = []
        var seen = Set<UUID>()
        for (index, skill) in body.enumerated() {
            let skillID = try uuid(skill.skillId, field: "[\(index)].skillId")
            if !(1...10).contains(skill.level) { issues.append(.init(field: "[\(index)].level", message: "must be between 1 and 10")) }
            if !seen.insert(skillID).inserted { issues.append(.init(field: "[\(index)].skillId", message: "is listed twice")) }
            levels.append(AgentSkillLevel(skillID: skillID, level: skill.level))
        }
        try InputValidation.check(issues)
        guard let agent = try await database.tenant(tenantID, { tx in
            guard try await AgentRepository.get(tx, tenantID: tenantID, id: id) != nil else { return nil as AgentRecord? }
            try await AgentRepository.setSkills(tx, tenantID: tenantID, id: id, skills: levels)
            return try await AgentRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent") }
        return .ok(.init(body: .json(.init(agent))))
    }

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
}
