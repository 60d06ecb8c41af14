import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listSkills(_ input: Operations.ListSkills.Input) async throws -> Operations.ListSkills.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await SkillRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Skill.init), nextCursor: result.nextCursor))))
    }

    func createSkill(_ input: Operations.CreateSkill.Input) async throws -> Operations.CreateSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            InputValidation.skillName(body.name),
            body.description.flatMap { InputValidation.text($0, field: "description", max: 500, allowEmpty: true) },
        ])
        let skill = SkillRecord(id: UUID(), name: body.name, description: body.description ?? "", createdAt: Date())
        try await database.tenant(tenantID) { tx in try await SkillRepository.insert(tx, tenantID: tenantID, skill) }
        return .created(.init(headers: .init(location: ResourceLocation.skill(skill.id)), body: .json(.init(skill))))
    }

    func getSkill(_ input: Operations.GetSkill.Input) async throws -> Operations.GetSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.skillId, field: "skillId")
        guard let skill = try await database.tenant(tenantID, { tx in
            try await SkillRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("skill") }
        return .ok(.init(body: .json(.init(skill))))
    }

    func updateSkill(_ input: Operations.UpdateSkill.Input) async throws -> Operations.UpdateSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.skillId, field: "skillId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            InputValidation.skillName(body.name),
            body.description.flatMap { InputValidation.text($0, field: "description", max: 500, allowEmpty: true) },
        ])
        guard let skill = try await database.tenant(tenantID, { tx in
            try await SkillRepository.update(tx, tenantID: tenantID, id: id, name: body.name, description: body.description)
        }) else { throw ControlPlaneError.notFound("skill") }
        return .ok(.init(body: .json(.init(skill))))
    }

    func deleteSkill(_ input: Operations.DeleteSkill.Input) async throws -> Operations.DeleteSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.skillId, field: "skillId")
        guard try await database.tenant(tenantID, { tx in
            try await SkillRepository.delete(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("skill") }
        return .noContent(.init())
    }
}
