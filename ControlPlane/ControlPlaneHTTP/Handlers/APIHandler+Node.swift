import OpenAPIRuntime
import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var nodeChannel: NodeChannelUseCases { NodeChannelUseCases(work: database) }

    func requireNode() throws(ControlPlaneError) -> UUID {
        guard case .node(let id) = try RequestPrincipal.require().kind else {
            throw ControlPlaneError(.forbidden, "Node routes accept node credentials only.")
        }
        return id
    }

    func nodeRegister(_ input: Operations.NodeRegister.Input) async throws -> Operations.NodeRegister.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let (id, credential) = try await nodeChannel.register(name: body.name, sipAddress: body.sipAddress, version: body.version,
                                                              bootstrapToken: body.bootstrapToken,
                                                              configuredToken: configuration.nodeBootstrapToken)
        logger.notice("media node registered", metadata: ["node": "\(id)", "name": "\(body.name)"])
        return .created(.init(headers: .init(location: ResourceLocation.node(id)), body: .json(.init(nodeId: id.wire, credential: credential,
                                                heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }

    func nodeHeartbeat(_ input: Operations.NodeHeartbeat.Input) async throws -> Operations.NodeHeartbeat.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let node = try await nodeChannel.heartbeat(nodeID: nodeID, load: body.load.map(NodeLoad.init))
        return .ok(.init(body: .json(.init(adminState: .init(rawValue: node.adminState.rawValue)!, configVersion: node.configVersion,
                                           heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }

    func nodeGetConfig(_ input: Operations.NodeGetConfig.Input) async throws -> Operations.NodeGetConfig.Output {
        let nodeID = try requireNode()
        guard let config = try await nodeChannel.configuration(nodeID: nodeID, ifNewerThan: input.query.ifNewerThan) else {
            return .noContent(.init())
        }
        return .ok(.init(body: .json(.init(version: config.version, generatedAt: Date(),
                                           tenants: try config.tenants.map(Components.Schemas.TenantSnapshot.init)))))
    }

    func nodeUploadCdrs(_ input: Operations.NodeUploadCdrs.Input) async throws -> Operations.NodeUploadCdrs.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let checked = CDRBatchValidation(body.cdrs, nodeID: nodeID, specIssues: SpecLimits.currentItemIssues["cdrs"] ?? [:])
        let outcomes = try await nodeChannel.uploadCDRs(nodeID: nodeID, checked.items, formerHomeWindow: configuration.nodeFormerHomeWindow)
        let result = Components.Schemas.CdrBatchResult(body.cdrs, outcomes)
        if !result.rejected.isEmpty { logger.warning("CDRs rejected", metadata: ["node": "\(nodeID)", "count": "\(result.rejected.count)"]) }
        return .ok(.init(body: .json(result)))
    }

    func nodeUploadEvents(_ input: Operations.NodeUploadEvents.Input) async throws -> Operations.NodeUploadEvents.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        var events: [(tenantID: UUID, payload: Data)] = []
        for event in body.events {
            guard let tenant = UUID(uuidString: event.tenantId) else {
                throw ControlPlaneError.invalid("events.tenantId", "must be a UUID")
            }
            events.append((tenant, try CDRDocument.encoder.encode(event)))
        }
        let dropped = try await nodeChannel.publishEvents(nodeID: nodeID, events, formerHomeWindow: configuration.nodeFormerHomeWindow,
                                                          to: eventHub)
        if dropped > 0 { logger.warning("events for tenants not homed on the node dropped", metadata: ["node": "\(nodeID)", "count": "\(dropped)"]) }
        logger.debug("events published", metadata: ["node": "\(nodeID)", "count": "\(body.events.count - dropped)"])
        return .accepted(.init())
    }

    func nodePollAgentCommands(_ input: Operations.NodePollAgentCommands.Input) async throws -> Operations.NodePollAgentCommands.Output {
        let nodeID = try requireNode()
        let commands = try await nodeChannel.pollAgentCommands(nodeID: nodeID, waitSeconds: input.query.waitSeconds,
                                                               wakeup: GracefulWakeup(signal: agentCommandSignal))
        return .ok(.init(body: .json(.init(commands: commands.map(Components.Schemas.AgentCommand.init)))))
    }

    func nodeReportAgentCommand(_ input: Operations.NodeReportAgentCommand.Input) async throws -> Operations.NodeReportAgentCommand.Output {
        let nodeID = try requireNode()
        let id = try uuid(input.path.commandId, field: "commandId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try await nodeChannel.reportAgentCommand(nodeID: nodeID, id: id, applied: body.applied, detail: body.detail)
        return .noContent(.init())
    }

    func nodeGetPrompt(_ input: Operations.NodeGetPrompt.Input) async throws -> Operations.NodeGetPrompt.Output {
        let nodeID = try requireNode()
        let tenantID = try uuid(input.path.tenantId, field: "tenantId")
        let bytes = try await nodeChannel.prompt(nodeID: nodeID, tenantID: tenantID, name: input.path.promptName)
        return .ok(.init(body: .audioWav(HTTPBody(bytes))))
    }

    func nodeRouteNumber(_ input: Operations.NodeRouteNumber.Input) async throws -> Operations.NodeRouteNumber.Output {
        _ = try requireNode()
        let route = try await nodeChannel.route(number: input.query.number)
        return .ok(.init(body: .json(.init(e164: route.e164, tenantId: route.tenantID.uuidString.lowercased(),
                                           nodeId: route.nodeID.uuidString.lowercased(), sipAddress: route.sipAddress))))
    }
}
