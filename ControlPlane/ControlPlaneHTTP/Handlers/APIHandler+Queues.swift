import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var queues: QueueUseCases { QueueUseCases(work: database) }

    func listQueues(_ input: Operations.ListQueues.Input) async throws -> Operations.ListQueues.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await queues.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: try result.items.map(Components.Schemas.Queue.init), nextCursor: result.nextCursor))))
    }

    func createQueue(_ input: Operations.CreateQueue.Input) async throws -> Operations.CreateQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let queue = try await queues.create(tenantID: tenantID, name: body.name, config: try .init(wire: body.config))
        return .created(.init(headers: .init(location: ResourceLocation.queue(queue.id)), body: .json(try .init(queue))))
    }

    func getQueue(_ input: Operations.GetQueue.Input) async throws -> Operations.GetQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let queue = try await queues.get(tenantID: tenantID, id: try uuid(input.path.queueId, field: "queueId"))
        return .ok(.init(body: .json(try .init(queue))))
    }

    func replaceQueue(_ input: Operations.ReplaceQueue.Input) async throws -> Operations.ReplaceQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let queue = try await queues.replace(tenantID: tenantID, id: id, name: body.name, config: try .init(wire: body.config))
        return .ok(.init(body: .json(try .init(queue))))
    }

    func deleteQueue(_ input: Operations.DeleteQueue.Input) async throws -> Operations.DeleteQueue.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        try await queues.delete(tenantID: tenantID, id: try uuid(input.path.queueId, field: "queueId"))
        return .noContent(.init())
    }
}

extension APIHandler {
    func getQueueMembers(_ input: Operations.GetQueueMembers.Input) async throws -> Operations.GetQueueMembers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let members = try await queues.members(tenantID: tenantID, queueID: try uuid(input.path.queueId, field: "queueId"))
        return .ok(.init(body: .json(.init(items: members.map(Components.Schemas.QueueMember.init)))))
    }

    func replaceQueueMembers(_ input: Operations.ReplaceQueueMembers.Input) async throws -> Operations.ReplaceQueueMembers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.queueId, field: "queueId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let input = body.items.map { QueueMemberInput(agentID: $0.agentId, groupID: $0.groupId, tier: $0.tier, weight: $0.weight) }
        let members = try await queues.replaceMembers(tenantID: tenantID, queueID: id, members: input)
        return .ok(.init(body: .json(.init(items: members.map(Components.Schemas.QueueMember.init)))))
    }
}
