import ControlPlaneAPI
import ControlPlaneCore
import Foundation

// The pattern every context follows as it moves to use cases: decode, authorise, one use case, encode.
extension APIHandler {
    var skills: SkillUseCases { SkillUseCases(work: database) }

    func listSkills(_ input: Operations.ListSkills.Input) async throws -> Operations.ListSkills.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await skills.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Skill.init), nextCursor: result.nextCursor))))
    }

    func createSkill(_ input: Operations.CreateSkill.Input) async throws -> Operations.CreateSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let skill = try await skills.create(tenantID: tenantID, name: body.name, description: body.description)
        return .created(.init(headers: .init(location: ResourceLocation.skill(skill.id)), body: .json(.init(skill))))
    }

    func getSkill(_ input: Operations.GetSkill.Input) async throws -> Operations.GetSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let skill = try await skills.get(tenantID: tenantID, id: try uuid(input.path.skillId, field: "skillId"))
        return .ok(.init(body: .json(.init(skill))))
    }

    func updateSkill(_ input: Operations.UpdateSkill.Input) async throws -> Operations.UpdateSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.skillId, field: "skillId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let skill = try await skills.update(tenantID: tenantID, id: id, name: body.name, description: body.description)
        return .ok(.init(body: .json(.init(skill))))
    }

    func deleteSkill(_ input: Operations.DeleteSkill.Input) async throws -> Operations.DeleteSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        try await skills.delete(tenantID: tenantID, id: try uuid(input.path.skillId, field: "skillId"))
        return .noContent(.init())
    }
}
