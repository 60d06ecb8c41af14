import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import Foundation
import IVREngine

extension APIHandler {
    var ivr: IVRUseCases { IVRUseCases(work: database) }

    func createIvrFlowVersion(_ input: Operations.CreateIvrFlowVersion.Input) async throws -> Operations.CreateIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the flow as a JSON body.") }
        let record = try await ivr.createVersion(tenantID: tenantID, flowName: input.path.flowName,
                                                 flow: Result { try IVRFlow(wire: body, root: "") })
        return .created(.init(headers: .init(location: ResourceLocation.ivrFlowVersion(flowName: record.flowName, version: record.version)),
                              body: .json(try .init(record))))
    }

    func listIvrFlowVersions(_ input: Operations.ListIvrFlowVersions.Input) async throws -> Operations.ListIvrFlowVersions.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try await ivr.listVersions(tenantID: tenantID, flowName: input.path.flowName, limit: input.query.limit,
                                              cursor: input.query.cursor)
        return .ok(.init(body: .json(.init(items: try page.items.map(Components.Schemas.IvrFlowVersion.init), nextCursor: page.nextCursor))))
    }

    func getIvrFlowVersion(_ input: Operations.GetIvrFlowVersion.Input) async throws -> Operations.GetIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let record = try await ivr.version(tenantID: tenantID, flowName: input.path.flowName, version: input.path.version)
        return .ok(.init(body: .json(try .init(record))))
    }

    func simulateIvrFlowVersion(_ input: Operations.SimulateIvrFlowVersion.Input) async throws -> Operations.SimulateIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the script as a JSON body.") }
        let flow = try await ivr.flow(tenantID: tenantID, flowName: input.path.flowName, version: input.path.version)
        let script = try IVRSimulationScript(wire: body)
        return .ok(.init(body: .json(try .init(simulationOf: flow, script: script))))
    }

    /// Pure: the flow in the body is simulated with the node's interpreter; nothing is stored.
    func simulateIvrFlow(_ input: Operations.SimulateIvrFlow.Input) async throws -> Operations.SimulateIvrFlow.Output {
        _ = try RequestPrincipal.require().tenant(for: .configRead)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send {flow, script} as a JSON body.") }
        let flow = try IVRFlow(wire: body.flow, root: "flow")
        let script = try IVRSimulationScript(wire: body.script)
        return .ok(.init(body: .json(try .init(simulationOf: flow, script: script))))
    }

    func listIvrAliases(_ input: Operations.ListIvrAliases.Input) async throws -> Operations.ListIvrAliases.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let aliases = try await ivr.listAliases(tenantID: tenantID)
        return .ok(.init(body: .json(.init(items: aliases.map(Components.Schemas.IvrAlias.init)))))
    }

    func getIvrAlias(_ input: Operations.GetIvrAlias.Input) async throws -> Operations.GetIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let record = try await ivr.alias(tenantID: tenantID, alias: input.path.alias)
        return .ok(.init(body: .json(.init(record))))
    }

    func publishIvrAlias(_ input: Operations.PublishIvrAlias.Input) async throws -> Operations.PublishIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let alias = input.path.alias
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send {flowName, version} as a JSON body.") }
        let record = try await ivr.publish(tenantID: tenantID, alias: alias, flowName: body.flowName, version: body.version)
        logger.info("IVR alias published", metadata: ["alias": "\(alias)", "flow": "\(body.flowName)", "version": "\(body.version)"])
        return .ok(.init(body: .json(.init(record))))
    }

    func rollbackIvrAlias(_ input: Operations.RollbackIvrAlias.Input) async throws -> Operations.RollbackIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let record = try await ivr.rollback(tenantID: tenantID, alias: input.path.alias)
        return .ok(.init(body: .json(.init(record))))
    }
}

/// Bridges between the open wire objects and the shared model types, by way of JSON.
enum WireJSON {
    static func decode<T: Decodable>(_ type: T.Type, from value: some Encodable, root: String) throws -> T {
        let data = try JSONEncoder().encode(value)
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ControlPlaneError.validation([error.validationIssue(root: root)])
        }
    }

    static func encode<T: Decodable>(_ value: some Encodable, as type: T.Type) throws -> T {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode(T.self, from: encoder.encode(value))
    }
}

extension IVRFlow {
    init(wire: Components.Schemas.IvrFlowDefinition, root: String) throws {
        self = try WireJSON.decode(IVRFlow.self, from: wire, root: root)
    }
}

extension IVRSimulationScript {
    /// Scripts are bounded: at most `maxStepsLimit` steps and as many scripted inputs/responses.
    init(wire: Components.Schemas.IvrSimulationScript) throws {
        self = try WireJSON.decode(IVRSimulationScript.self, from: wire, root: "script")
        let limit = IVRSimulationScript.maxStepsLimit
        if let steps = maxSteps, !(1...limit).contains(steps) {
            throw ControlPlaneError.invalid("script.maxSteps", "must be between 1 and \(limit)")
        }
        if (inputs?.count ?? 0) > limit { throw ControlPlaneError.invalid("script.inputs", "at most \(limit) inputs") }
        if (httpResponses?.count ?? 0) > limit { throw ControlPlaneError.invalid("script.httpResponses", "at most \(limit) responses") }
    }
}
