import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func listQueues(_ input: Operations.ListQueues.Input) async throws -> Operations.ListQueues.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await QueueRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: try result.items.map(Components.Schemas.Queue.init), nextCursor: result.nextCursor))))
    }

    /// Validates a queue write with the same `QueueConfiguration.validate` the media node runs.
    private func validatedQueue(_ body: Components.Schemas.QueueWrite, tenantID: UUID) async throws -> (String, QueueConfiguration) {
        try InputValidation.check([InputValidation.text(body.name, field: "name", max: 100)])
        let config = try QueueConfiguration(wire: body.config)
        let skills = try await database.tenant(tenantID) { tx in try await QueueRepository.skillNames(tx, tenantID: tenantID) }
        let issues = config.validate(knownSkills: skills).map { ValidationIssue(field: "config." + $0.field, message: $0.message) }
        if !issues.isEmpty { throw ControlPlaneError.validation(issues) }
        return (body.name, config)
    }

    func createQueue(_ input: Operations.CreateQueue.Input) async throws -> Operations.CreateQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let (name, config) = try await validatedQueue(body, tenantID: tenantID)
        let now = Date()
        let queue = QueueRecord(id: UUID(), name: name, config: config, createdAt: now, updatedAt: now)
        try await database.tenant(tenantID) { tx in try await QueueRepository.insert(tx, tenantID: tenantID, queue) }
        return .created(.init(headers: .init(location: ResourceLocation.queue(queue.id)), body: .json(try .init(queue))))
    }

    func getQueue(_ input: Operations.GetQueue.Input) async throws -> Operations.GetQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard let queue = try await database.tenant(tenantID, { tx in
            try await QueueRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("queue") }
        return .ok(.init(body: .json(try .init(queue))))
    }

    func replaceQueue(_ input: Operations.ReplaceQueue.Input) async throws -> Operations.ReplaceQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let (name, config) = try await validatedQueue(body, tenantID: tenantID)
        guard let queue = try await database.tenant(tenantID, { tx in
            try await QueueRepository.replace(tx, tenantID: tenantID, id: id, name: name, config: config)
        }) else { throw ControlPlaneError.notFound("queue") }
        return .ok(.init(body: .json(try .init(queue))))
    }

    func deleteQueue(_ input: Operations.DeleteQueue.Input) async throws -> Operations.DeleteQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard try await database.tenant(tenantID, { tx in
            try await QueueRepository.delete(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("queue") }
        return .noContent(.init())
    }
}

extension APIHandler {
    func getQueueMembers(_ input: Operations.GetQueueMembers.Input) async throws -> Operations.GetQueueMembers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard let members = try await database.tenant(tenantID, { tx in
            try await QueueMemberRepository.list(tx, tenantID: tenantID, queueID: id)
        }) else { throw ControlPlaneError.notFound("queue") }
        return .ok(.init(body: .json(.init(items: members.map(Components.Schemas.QueueMember.init)))))
    }

    func replaceQueueMembers(_ input: Operations.ReplaceQueueMembers.Input) async throws -> Operations.ReplaceQueueMembers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        var issues: [ValidationIssue] = []
        var members: [QueueMemberRecord] = []
        var seen = Set<String>()
        for (i, m) in body.items.enumerated() {
            let field = "items.\(i)"
            let agent = m.agentId.flatMap(UUID.init(uuidString:)), group = m.groupId.flatMap(UUID.init(uuidString:))
            if (m.agentId == nil) == (m.groupId == nil) {
                issues.append(ValidationIssue(field: field, message: "name exactly one of agentId and groupId"))
            } else if (m.agentId != nil && agent == nil) || (m.groupId != nil && group == nil) {
                issues.append(ValidationIssue(field: field + (m.agentId != nil ? ".agentId" : ".groupId"), message: "must be a UUID"))
            }
            let tier = m.tier ?? 0, weight = m.weight ?? 1
            if !(0...9).contains(tier) { issues.append(ValidationIssue(field: field + ".tier", message: "must be between 0 and 9")) }
            if !(1...100).contains(weight) { issues.append(ValidationIssue(field: field + ".weight", message: "must be between 1 and 100")) }
            let key = agent.map { "a" + $0.uuidString } ?? group.map { "g" + $0.uuidString } ?? "?\(i)"
            if !seen.insert(key).inserted { issues.append(ValidationIssue(field: field, message: "is listed twice")) }
            members.append(QueueMemberRecord(agentID: agent, groupID: group, tier: tier, weight: weight))
        }
        if !issues.isEmpty { throw ControlPlaneError.validation(issues) }
        let write = members
        let outcome = try await database.tenant(tenantID) { tx in
            try await QueueMemberRepository.replace(tx, tenantID: tenantID, queueID: id, members: write)
        }
        switch outcome {
        case .replaced:
            return .ok(.init(body: .json(.init(items: members.map(Components.Schemas.QueueMember.init)))))
        case .noSuchQueue:
            throw ControlPlaneError.notFound("queue")
        case .unknownReferences(let indexes):
            throw ControlPlaneError.validation(indexes.map { i in
                ValidationIssue(field: "items.\(i)", message: members[i].agentID != nil
                                ? "no agent with this id in your tenant" : "no agent group with this id in your tenant")
            })
        }
    }
}

extension Components.Schemas.QueueMember {
    init(_ r: QueueMemberRecord) {
        self.init(agentId: r.agentID.map { $0.uuidString.lowercased() }, groupId: r.groupID.map { $0.uuidString.lowercased() },
                  tier: r.tier, weight: r.weight)
    }
}

extension QueueConfiguration {
    /// Decodes the free-form wire object into the shared model, turning decoding failures into
    /// field-level problems (`config.strategy: ...`).
    init(wire: Components.Schemas.QueueConfiguration) throws {
        let data = try JSONEncoder().encode(wire)
        do {
            self = try JSONDecoder().decode(QueueConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ControlPlaneError.validation([error.validationIssue(root: "config")])
        }
    }
}

extension Components.Schemas.Queue {
    init(_ q: QueueRecord) throws {
        let config = try JSONDecoder().decode(Components.Schemas.QueueConfiguration.self, from: JSONEncoder().encode(q.config))
        self.init(id: q.id.wire, name: q.name, config: config, createdAt: q.createdAt, updatedAt: q.updatedAt)
    }
}

extension DecodingError {
    /// The JSON path and a sentence for a decoding failure.
    func validationIssue(root: String) -> ValidationIssue {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce(root) { partial, key in
                if let index = key.intValue { return partial + "[\(index)]" }
                return partial.isEmpty ? key.stringValue : partial + "." + key.stringValue
            }
        }
        switch self {
        case .keyNotFound(let key, let context):
            return ValidationIssue(field: path(context.codingPath + [key]), message: "is required")
        case .typeMismatch(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "must be of type \(type)")
        case .valueNotFound(let type, let context):
            return ValidationIssue(field: path(context.codingPath), message: "must not be null (expected \(type))")
        case .dataCorrupted(let context):
            return ValidationIssue(field: path(context.codingPath), message: context.debugDescription)
        @unknown default:
            return ValidationIssue(field: root, message: "is not valid")
        }
    }
}
