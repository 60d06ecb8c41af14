import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var cdrs: CDRUseCases { CDRUseCases(work: database) }

    func listCdrs(_ input: Operations.ListCdrs.Input) async throws -> Operations.ListCdrs.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let q = input.query
        let filter = CDRFilter(from: q.from, to: q.to, number: q.number, queueID: try optionalUUID(q.queueId, field: "queueId"),
                               agentID: try optionalUUID(q.agentId, field: "agentId"), disposition: q.disposition?.rawValue)
        let result = try await cdrs.list(tenantID: tenantID, filter: filter, page: page)
        let items = try result.items.map { try CDRDocument.decoder.decode(Components.Schemas.Cdr.self, from: Data($0.utf8)) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: result.nextCursor))))
    }
}
