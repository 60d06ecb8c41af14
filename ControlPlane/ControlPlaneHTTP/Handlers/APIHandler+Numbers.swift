import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func listNumbers(_ input: Operations.ListNumbers.Input) async throws -> Operations.ListNumbers.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.tenant(tenantID) { tx in
            try await PhoneNumberRepository.list(tx, tenantID: tenantID, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.PhoneNumber.init), nextCursor: result.nextCursor))))
    }

    func getNumber(_ input: Operations.GetNumber.Input) async throws -> Operations.GetNumber.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let id = try uuid(input.path.numberId, field: "numberId")
        guard let number = try await database.tenant(tenantID, { tx in
            try await PhoneNumberRepository.get(tx, tenantID: tenantID, id: id)
        }) else { throw ControlPlaneError.notFound("phone number") }
        return .ok(.init(body: .json(.init(number))))
    }

    func setNumberRoute(_ input: Operations.SetNumberRoute.Input) async throws -> Operations.SetNumberRoute.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let id = try uuid(input.path.numberId, field: "numberId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let route: NumberRoute
        switch body._type {
        case .none: route = .none
        case .queue:
            guard let queue = body.queueId else { throw ControlPlaneError.invalid("queueId", "is required when type is 'queue'") }
            route = .queue(try uuid(queue, field: "queueId"))
        case .ivr:
            guard let alias = body.ivrAlias else { throw ControlPlaneError.invalid("ivrAlias", "is required when type is 'ivr'") }
            try InputValidation.check([InputValidation.skillName(alias, field: "ivrAlias")])
            route = .ivr(alias: alias)
        }
        guard let number = try await database.tenant(tenantID, { tx in
            try await PhoneNumberRepository.setRoute(tx, tenantID: tenantID, id: id, route: route)
        }) else { throw ControlPlaneError.notFound("phone number") }
        return .ok(.init(body: .json(.init(number))))
    }
}
