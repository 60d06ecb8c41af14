import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var numbers: NumberUseCases { NumberUseCases(work: database) }

    func listNumbers(_ input: Operations.ListNumbers.Input) async throws -> Operations.ListNumbers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await numbers.list(tenantID: tenantID, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.PhoneNumber.init), nextCursor: result.nextCursor))))
    }

    func getNumber(_ input: Operations.GetNumber.Input) async throws -> Operations.GetNumber.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let number = try await numbers.get(tenantID: tenantID, id: try uuid(input.path.numberId, field: "numberId"))
        return .ok(.init(body: .json(.init(number))))
    }

    func setNumberRoute(_ input: Operations.SetNumberRoute.Input) async throws -> Operations.SetNumberRoute.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.numberId, field: "numberId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let route: NumberRouteRequest = switch body._type {
        case .none: .none
        case .queue: .queue(try optionalUUID(body.queueId, field: "queueId"))
        case .ivr: .ivr(alias: body.ivrAlias)
        }
        let number = try await numbers.setRoute(tenantID: tenantID, id: id, route: route)
        return .ok(.init(body: .json(.init(number))))
    }
}
