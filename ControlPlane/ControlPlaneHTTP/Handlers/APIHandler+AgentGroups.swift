import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var agentGroups: AgentGroupUseCases { AgentGroupUseCases(work: database) }

    func listAgentGroups(_ input: Operations.ListAgentGroups.Input) async throws -> Operations.ListAgentGroups.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await agentGroups.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.AgentGroup.init), nextCursor: result.nextCursor))))
    }

    /// The group's agent ids, each a 400 naming its index when malformed.
    private func agentIDs(_ body: Components.Schemas.AgentGroupWrite) throws -> [UUID] {
        try (body.agentIds ?? []).enumerated().map { try uuid($0.element, field: "agentIds[\($0.offset)]") }
    }

    func createAgentGroup(_ input: Operations.CreateAgentGroup.Input) async throws -> Operations.CreateAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let group = try await agentGroups.create(tenantID: tenantID, name: body.name, agentIDs: try agentIDs(body))
        return .created(.init(headers: .init(location: ResourceLocation.agentGroup(group.id)), body: .json(.init(group))))
    }

    func getAgentGroup(_ input: Operations.GetAgentGroup.Input) async throws -> Operations.GetAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let group = try await agentGroups.get(tenantID: tenantID, id: try uuid(input.path.groupId, field: "groupId"))
        return .ok(.init(body: .json(.init(group))))
    }

    func replaceAgentGroup(_ input: Operations.ReplaceAgentGroup.Input) async throws -> Operations.ReplaceAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.groupId, field: "groupId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let group = try await agentGroups.replace(tenantID: tenantID, id: id, name: body.name, agentIDs: try agentIDs(body))
        return .ok(.init(body: .json(.init(group))))
    }

    func deleteAgentGroup(_ input: Operations.DeleteAgentGroup.Input) async throws -> Operations.DeleteAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        try await agentGroups.delete(tenantID: tenantID, id: try uuid(input.path.groupId, field: "groupId"))
        return .noContent(.init())
    }
}
