import CallCenterModel
import Foundation

/// A tenant's skills, as the skill use cases need them (inside the caller's transaction).
public protocol SkillStore: Sendable {
    func list(page: PageRequest) async throws -> Page<SkillRecord>
    func get(id: UUID) async throws -> SkillRecord?
    /// Throws `.conflict` when the name is taken.
    func insert(_ skill: SkillRecord) async throws
    /// nil when there is no such skill. Throws `.conflict` when the new name is taken.
    func update(id: UUID, name: String, description: String?) async throws -> SkillRecord?
    func delete(id: UUID) async throws -> Bool
}

/// The skills of a tenant: the names agents carry (with a level) and queues require.
public struct SkillUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    public func list(tenantID: UUID, page: PageRequest) async throws -> Page<SkillRecord> {
        try await work.inTenant(tenantID) { try await $0.skills.list(page: page) }
    }

    public func get(tenantID: UUID, id: UUID) async throws -> SkillRecord {
        guard let skill = try await work.inTenant(tenantID, { try await $0.skills.get(id: id) }) else {
            throw ControlPlaneError.notFound("skill")
        }
        return skill
    }

    public func create(tenantID: UUID, name: String, description: String?, now: Date = Date()) async throws -> SkillRecord {
        try Self.validate(name: name, description: description)
        let skill = SkillRecord(id: UUID(), name: name, description: description ?? "", createdAt: now)
        try await work.inTenant(tenantID) { try await $0.skills.insert(skill) }
        return skill
    }

    public func update(tenantID: UUID, id: UUID, name: String, description: String?) async throws -> SkillRecord {
        try Self.validate(name: name, description: description)
        guard let skill = try await work.inTenant(tenantID, { try await $0.skills.update(id: id, name: name, description: description) }) else {
            throw ControlPlaneError.notFound("skill")
        }
        return skill
    }

    public func delete(tenantID: UUID, id: UUID) async throws {
        guard try await work.inTenant(tenantID, { try await $0.skills.delete(id: id) }) else {
            throw ControlPlaneError.notFound("skill")
        }
    }

    static func validate(name: String, description: String?) throws(ControlPlaneError) {
        try InputValidation.check([
            InputValidation.skillName(name),
            description.flatMap { InputValidation.text($0, field: "description", max: 500, allowEmpty: true) },
        ])
    }
}
