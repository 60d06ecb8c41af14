import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listSkills(_ input: Operations.ListSkills.Input) async throws -> Operations.ListSkills.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let logger = self.logger
        let result = try await database.tenant(tenantID) { c in
            try await SkillRepository.list(c, tenantID: tenantID, page: page, logger: logger)
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
        let logger = self.logger
        try await database.tenant(tenantID) { c in try await SkillRepository.insert(c, tenantID: tenantID, skill, logger: logger) }
        return .created(.init(headers: .init(location: ResourceLocation.skill(skill.id)), body: .json(.init(skill))))
    }

    func getSkill(_ input: Operations.GetSkill.Input) async throws -> Operations.GetSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.skillId, field: "skillId")
        let logger = self.logger
        guard let skill = try await database.tenant(tenantID, { c in
            try await SkillRepository.get(c, tenantID: tenantID, id: id, logger: logger)
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
        let logger = self.logger
        guard let skill = try await database.tenant(tenantID, { c in
            try await SkillRepository.update(c, tenantID: tenantID, id: id, name: body.name, description: body.description, logger: logger)
        }) else { throw ControlPlaneError.notFound("skill") }
        return .ok(.init(body: .json(.init(skill))))
    }

    func deleteSkill(_ input: Operations.DeleteSkill.Input) async throws -> Operations.DeleteSkill.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.skillId, field: "skillId")
        let logger = self.logger
        guard try await database.tenant(tenantID, { c in
            try await SkillRepository.delete(c, tenantID: tenantID, id: id, logger: logger)
        }) else { throw ControlPlaneError.notFound("skill") }
        return .noContent(.init())
    }
}
