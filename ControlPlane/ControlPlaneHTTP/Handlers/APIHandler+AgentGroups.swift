import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listAgentGroups(_ input: Operations.ListAgentGroups.Input) async throws -> Operations.ListAgentGroups.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await AgentGroupRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.AgentGroup.init), nextCursor: result.nextCursor))))
    }

    private func groupRecord(_ body: Components.Schemas.AgentGroupWrite, id: UUID) throws -> AgentGroupRecord {
        try InputValidation.check([InputValidation.text(body.name, field: "name", max: 100)])
        let agentIDs = try (body.agentIds ?? []).enumerated().map { try uuid($0.element, field: "agentIds[\($0.offset)]") }
        return AgentGroupRecord(id: id, name: body.name, agentIDs: agentIDs, createdAt: Date())
    }

    func createAgentGroup(_ input: Operations.CreateAgentGroup.Input) async throws -> Operations.CreateAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let group = try groupRecord(body, id: UUID())
        guard let created = try await database.tenant(tenantID, { tx in
            try await AgentGroupRepository.upsert(tx, tenantID: tenantID, group, insert: true)
        }) else { throw ControlPlaneError.notFound("agent group") }
        return .created(.init(headers: .init(location: ResourceLocation.agentGroup(created.id)), body: .json(.init(created))))
    }

    func getAgentGroup(_ input: Operations.GetAgentGroup.Input) async throws -> Operations.GetAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.groupId, field: "groupId")
        guard let group = try await database.tenant(tenantID, { tx in
            try await AgentGroupRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent group") }
        return .ok(.init(body: .json(.init(group))))
    }

    func replaceAgentGroup(_ input: Operations.ReplaceAgentGroup.Input) async throws -> Operations.ReplaceAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.groupId, field: "groupId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let group = try groupRecord(body, id: id)
        guard let replaced = try await database.tenant(tenantID, { tx in
            try await AgentGroupRepository.upsert(tx, tenantID: tenantID, group, insert: false)
        }) else { throw ControlPlaneError.notFound("agent group") }
        return .ok(.init(body: .json(.init(replaced))))
    }

    func deleteAgentGroup(_ input: Operations.DeleteAgentGroup.Input) async throws -> Operations.DeleteAgentGroup.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.groupId, field: "groupId")
        guard try await database.tenant(tenantID, { tx in
            try await AgentGroupRepository.delete(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("agent group") }
        return .noContent(.init())
    }
}
