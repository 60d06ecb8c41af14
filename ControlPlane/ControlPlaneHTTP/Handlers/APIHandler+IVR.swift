import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import IVREngine
import OpenAPIRuntime

extension APIHandler {
    func createIvrFlowVersion(_ input: Operations.CreateIvrFlowVersion.Input) async throws -> Operations.CreateIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let flowName = input.path.flowName
        try InputValidation.check([InputValidation.skillName(flowName, field: "flowName")])
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the flow as a JSON body.") }
        let flow = try IVRFlow(wire: body, root: "")
        let record = try await database.tenant(tenantID) { tx in
            let queues = try await IVRRepository.queueKeys(tx, tenantID: tenantID)
            let issues = IVRFlowValidator.validate(flow, knownQueues: queues)
            if !issues.isEmpty { throw ControlPlaneError.validation(issues.map(\.validationIssue)) }
            return try await IVRRepository.createVersion(tx, tenantID: tenantID, flowName: flowName,
                                                         definition: try flow.canonicalJSON())
        }
        return .created(.init(headers: .init(location: ResourceLocation.ivrFlowVersion(flowName: record.flowName, version: record.version)),
                              body: .json(try .init(record))))
    }

    func listIvrFlowVersions(_ input: Operations.ListIvrFlowVersions.Input) async throws -> Operations.ListIvrFlowVersions.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let limit = input.query.limit ?? 50
        guard (1...200).contains(limit) else { throw ControlPlaneError(.badRequest, "limit must be between 1 and 200.") }
        let after: Int
        if let cursor = input.query.cursor {
            guard let version = Int(cursor), version >= 0 else {
                throw ControlPlaneError(.badRequest, "cursor is not one this API returned; pass nextCursor unchanged.")
            }
            after = version
        } else {
            after = 0
        }
        let flowName = input.path.flowName
        let records = try await database.tenant(tenantID) { tx in
            try await IVRRepository.list(tx, tenantID: tenantID, flowName: flowName, limit: limit + 1, afterVersion: after)
        }
        let page = Array(records.prefix(limit))
        let next = records.count > limit ? page.last.map { String($0.version) } : nil
        return .ok(.init(body: .json(.init(items: try page.map(Components.Schemas.IvrFlowVersion.init), nextCursor: next))))
    }

    func getIvrFlowVersion(_ input: Operations.GetIvrFlowVersion.Input) async throws -> Operations.GetIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let record = try await flowVersion(tenantID: tenantID, name: input.path.flowName, version: input.path.version)
        return .ok(.init(body: .json(try .init(record))))
    }

    func simulateIvrFlowVersion(_ input: Operations.SimulateIvrFlowVersion.Input) async throws -> Operations.SimulateIvrFlowVersion.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the script as a JSON body.") }
        let record = try await flowVersion(tenantID: tenantID, name: input.path.flowName, version: input.path.version)
        let flow = try JSONDecoder().decode(IVRFlow.self, from: Data(record.definition.utf8))
        let script = try IVRSimulationScript(wire: body)
        return .ok(.init(body: .json(try .init(simulationOf: flow, script: script))))
    }

    func simulateIvrFlow(_ input: Operations.SimulateIvrFlow.Input) async throws -> Operations.SimulateIvrFlow.Output {
        _ = try RequestPrincipal.require().tenant(for: .configRead)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send {flow, script} as a JSON body.") }
        let flow = try IVRFlow(wire: body.flow, root: "flow")
        let script = try IVRSimulationScript(wire: body.script)
        return .ok(.init(body: .json(try .init(simulationOf: flow, script: script))))
    }

    func listIvrAliases(_ input: Operations.ListIvrAliases.Input) async throws -> Operations.ListIvrAliases.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let aliases = try await database.tenant(tenantID) { tx in try await IVRRepository.listAliases(tx, tenantID: tenantID) }
        return .ok(.init(body: .json(.init(items: aliases.map(Components.Schemas.IvrAlias.init)))))
    }

    func getIvrAlias(_ input: Operations.GetIvrAlias.Input) async throws -> Operations.GetIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let alias = input.path.alias
        guard let record = try await database.tenant(tenantID, { tx in
            try await IVRRepository.getAlias(tx, tenantID: tenantID, alias: alias)
        }) else { throw ControlPlaneError(.notFound, "No IVR alias '\(alias.prefix(64))' exists in your tenant.") }
        return .ok(.init(body: .json(.init(record))))
    }

    func publishIvrAlias(_ input: Operations.PublishIvrAlias.Input) async throws -> Operations.PublishIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let alias = input.path.alias
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send {flowName, version} as a JSON body.") }
        try InputValidation.check([InputValidation.skillName(alias, field: "alias"), InputValidation.skillName(body.flowName, field: "flowName")])
        let logger = self.logger
        let record = try await database.tenant(tenantID) { tx in
            try await IVRRepository.publish(tx, tenantID: tenantID, alias: alias, flowName: body.flowName, version: body.version)
        }
        logger.info("IVR alias published", metadata: ["alias": "\(alias)", "flow": "\(body.flowName)", "version": "\(body.version)"])
        return .ok(.init(body: .json(.init(record))))
    }

    func rollbackIvrAlias(_ input: Operations.RollbackIvrAlias.Input) async throws -> Operations.RollbackIvrAlias.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let alias = input.path.alias
        guard let record = try await database.tenant(tenantID, { tx in
            try await IVRRepository.rollback(tx, tenantID: tenantID, alias: alias)
        }) else { throw ControlPlaneError(.notFound, "No IVR alias '\(alias.prefix(64))' exists in your tenant.") }
        return .ok(.init(body: .json(.init(record))))
    }

    private func flowVersion(tenantID: UUID, name: String, version: Int) async throws -> IVRFlowVersionRecord {
        guard let record = try await database.tenant(tenantID, { tx in
            try await IVRRepository.get(tx, tenantID: tenantID, flowName: name, version: version)
        }) else { throw ControlPlaneError(.notFound, "Flow '\(name.prefix(64))' has no version \(version) in your tenant.") }
        return record
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

    func canonicalJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
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

extension Components.Schemas.IvrSimulationResult {
    init(simulationOf flow: IVRFlow, script: IVRSimulationScript) throws {
        self = try WireJSON.encode(IVRSimulator.run(flow: flow, script: script), as: Self.self)
    }
}

extension Components.Schemas.IvrFlowVersion {
    init(_ r: IVRFlowVersionRecord) throws {
        let definition = try JSONDecoder().decode(Components.Schemas.IvrFlowDefinition.self, from: Data(r.definition.utf8))
        self.init(flowName: r.flowName, version: r.version, definition: definition, createdAt: r.createdAt)
    }
}

extension Components.Schemas.IvrAlias {
    init(_ r: IVRAliasRecord) {
        self.init(alias: r.alias, flowName: r.flowName, version: r.version, updatedAt: r.updatedAt,
                  history: r.history.isEmpty ? nil : r.history.map { .init(flowName: $0.flowName, version: $0.version, publishedAt: $0.publishedAt) })
    }
}
