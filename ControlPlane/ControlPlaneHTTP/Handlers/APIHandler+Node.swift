import OpenAPIRuntime
import ServiceLifecycle
import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Crypto
import Foundation

extension APIHandler {
    static func hours(_ duration: Duration) -> Int { Int(duration.components.seconds / 3600) }

    func nodeRegister(_ input: Operations.NodeRegister.Input) async throws -> Operations.NodeRegister.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([
            InputValidation.text(body.name, field: "name", max: 100),
            body.sipAddress.flatMap { InputValidation.text($0, field: "sipAddress", max: 200) },
            body.version.flatMap { InputValidation.text($0, field: "version", max: 50) },
        ])
        let presented = BearerToken.parse(body.bootstrapToken).flatMap { $0.kind == .bootstrap ? $0 : nil }
        let configured = configuration.nodeBootstrapToken
        guard presented != nil || configured != nil else {
            throw ControlPlaneError(.forbidden, "Node registration needs a bootstrap token made by platform staff (POST /v1/platform/bootstrap-tokens); none was presented and CC_NODE_BOOTSTRAP_TOKEN is not set.")
        }
        // Constant-time comparison of digests, so the configured token cannot be guessed byte by byte.
        let configuredMatches = configured.map { SHA256.hash(data: Array(body.bootstrapToken.utf8)) == SHA256.hash(data: Array($0.utf8)) } ?? false
        let credential = BearerToken.generate(.node)
        let id = UUID()
        let logger = self.logger
        try await database.platform { tx in
            let tokenID: UUID?
            switch try await BootstrapTokenRepository.admit(tx, presented: presented, configuredTokenMatches: configuredMatches,
                                                            now: Date()) {
            case .token(let id): tokenID = id
            case .configured: tokenID = nil
            case .wrong: throw ControlPlaneError(.unauthorized, "The bootstrap token is wrong.")
            case .expired: throw ControlPlaneError(.unauthorized, "The bootstrap token expired; ask platform staff for a new one (POST /v1/platform/bootstrap-tokens).")
            case .revoked: throw ControlPlaneError(.unauthorized, "The bootstrap token was revoked; ask platform staff for a new one.")
            case .configuredReplaced:
                throw ControlPlaneError(.unauthorized, "The configured bootstrap token (CC_NODE_BOOTSTRAP_TOKEN) was replaced by tokens made by platform staff; register with one of those.")
            }
            guard try await NodeRepository.register(tx, id: id, name: body.name, sipAddress: body.sipAddress, version: body.version,
                                                    credential: credential, bootstrapTokenID: tokenID) else {
                throw ControlPlaneError(.forbidden, "A node named '\(body.name.prefix(100))' was removed by platform staff and stays removed; register the machine under a new name.")
            }
        }
        logger.notice("media node registered", metadata: ["node": "\(id)", "name": "\(body.name)"])
        return .created(.init(headers: .init(location: ResourceLocation.node(id)), body: .json(.init(nodeId: id.wire, credential: credential.text,
                                                heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }

    func nodeHeartbeat(_ input: Operations.NodeHeartbeat.Input) async throws -> Operations.NodeHeartbeat.Output {
        let principal = try RequestPrincipal.require()
        guard case .node(let nodeID) = principal.kind else {
            throw ControlPlaneError(.forbidden, "Node routes accept node credentials only.")
        }
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let load = body.load.map(NodeLoad.init)
        guard let node = try await database.platform({ tx in
            try await NodeRepository.heartbeat(tx, id: nodeID, load: load)
        }) else { throw ControlPlaneError(.unauthorized, "This node was removed by platform staff; a removed node stays removed.") }
        return .ok(.init(body: .json(.init(adminState: .init(rawValue: node.adminState.rawValue)!, configVersion: node.configVersion,
                                           heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }

    func requireNode() throws(ControlPlaneError) -> UUID {
        guard case .node(let id) = try RequestPrincipal.require().kind else {
            throw ControlPlaneError(.forbidden, "Node routes accept node credentials only.")
        }
        return id
    }

    func nodeGetConfig(_ input: Operations.NodeGetConfig.Input) async throws -> Operations.NodeGetConfig.Output {
        let nodeID = try requireNode()
        let known = input.query.ifNewerThan
        let result: (Int64, [TenantSnapshotRecord])? = try await database.platform { tx in
            try await PlacementRepository.placeUnhomed(tx)
            let version = try await PlacementRepository.configVersion(tx, nodeID: nodeID)
            if let known, known >= version { return nil }
            var snapshots: [TenantSnapshotRecord] = []
            for tenant in try await PlacementRepository.tenants(tx, nodeID: nodeID) {
                snapshots.append(try await SnapshotRepository.snapshot(tx, tenant: tenant))
            }
            return (version, snapshots)
        }
        guard let (version, snapshots) = result else { return .noContent(.init()) }
        return .ok(.init(body: .json(.init(version: version, generatedAt: Date(), tenants: try snapshots.map(Components.Schemas.TenantSnapshot.init)))))
    }

    func nodeUploadCdrs(_ input: Operations.NodeUploadCdrs.Input) async throws -> Operations.NodeUploadCdrs.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let logger = self.logger
        let formerHomeSince = Date().addingTimeInterval(-TimeInterval(configuration.nodeFormerHomeWindow.components.seconds))
        let windowHours = Self.hours(configuration.nodeFormerHomeWindow)
        let checked = CDRBatchValidation(body.cdrs, nodeID: nodeID, specIssues: SpecLimits.currentItemIssues["cdrs"] ?? [:])
        // One transaction for the batch (issue 13): which tenants the node may write for, which exist,
        // then every valid CDR in one statement (CDRRepository.ingestBatch).
        let outcomes: [CDRBatchOutcome] = try await database.platform { tx in
            let writable = try await PlacementRepository.writableTenants(tx, nodeID: nodeID, formerHomeSince: formerHomeSince)
            let existing = try await CDRRepository.existingTenants(tx, Set(checked.rows.map(\.tenantID)))
            var verdicts = checked.verdicts
            var accepted: [(index: Int, row: CDRRow)] = []
            for (index, row) in zip(checked.rowIndices, checked.rows) {
                if !writable.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.wire) is not homed on this node (nor was it within \(windowHours) h); a node uploads CDRs only for its own tenants")
                } else if !existing.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.wire) does not exist")
                } else {
                    accepted.append((index, row))
                }
            }
            let stored = try await CDRRepository.ingestBatch(tx, accepted.map(\.row))
            for (entry, outcome) in zip(accepted, stored) { verdicts[entry.index] = outcome }
            return verdicts.map { $0 ?? .refused("not processed") }
        }
        var stored: [String] = [], duplicates: [String] = []
        var rejected: [Components.Schemas.CdrBatchResult.RejectedPayloadPayload] = []
        for (cdr, outcome) in zip(body.cdrs, outcomes) {
            switch outcome {
            case .stored: stored.append(cdr.id)
            case .duplicate: duplicates.append(cdr.id)
            case .conflicting: rejected.append(.init(id: cdr.id, detail: "a different CDR with this id is already stored; keep this one for inspection"))
            case .refused(let reason): rejected.append(.init(id: cdr.id, detail: reason))
            }
        }
        if !rejected.isEmpty { logger.warning("CDRs rejected", metadata: ["node": "\(nodeID)", "count": "\(rejected.count)"]) }
        return .ok(.init(body: .json(.init(stored: stored, duplicates: duplicates, rejected: rejected))))
    }

    func nodeUploadEvents(_ input: Operations.NodeUploadEvents.Input) async throws -> Operations.NodeUploadEvents.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        var events: [(UUID, Components.Schemas.NodeEvent)] = []
        for event in body.events {
            guard let tenant = UUID(uuidString: event.tenantId) else {
                throw ControlPlaneError.invalid("events.tenantId", "must be a UUID")
            }
            events.append((tenant, event))
        }
        // Events for tenants this node does not home (nor homed recently) are dropped, not fanned out.
        let writable = try await writableTenants(nodeID: nodeID)
        var dropped = 0
        for (tenant, event) in events {
            guard writable.contains(tenant) else { dropped += 1; continue }
            await eventHub.publish(tenantID: tenant, payload: try CDRDocument.encoder.encode(event))
        }
        if dropped > 0 { logger.warning("events for tenants not homed on the node dropped", metadata: ["node": "\(nodeID)", "count": "\(dropped)"]) }
        logger.debug("events published", metadata: ["node": "\(nodeID)", "count": "\(body.events.count - dropped)"])
        return .accepted(.init())
    }

    /// The tenants `nodeID` may write for: homed on it now, or within `nodeFormerHomeWindow`.
    func writableTenants(nodeID: UUID) async throws -> Set<UUID> {
        let since = Date().addingTimeInterval(-TimeInterval(configuration.nodeFormerHomeWindow.components.seconds))
        return try await database.platform { tx in
            try await PlacementRepository.writableTenants(tx, nodeID: nodeID, formerHomeSince: since)
        }
    }

    func nodePollAgentCommands(_ input: Operations.NodePollAgentCommands.Input) async throws -> Operations.NodePollAgentCommands.Output {
        let nodeID = try requireNode()
        let wait = min(max(input.query.waitSeconds ?? 25, 0), 30)
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let seen = await agentCommandSignal.generation
            let commands = try await database.platform { tx in
                try await AgentCommandRepository.deliver(tx, nodeID: nodeID)
            }
            if !commands.isEmpty || ContinuousClock.now >= deadline || Task.isShuttingDownGracefully {
                return .ok(.init(body: .json(.init(commands: commands.map(Components.Schemas.AgentCommand.init)))))
            }
            // The server waits for requests in flight when it shuts down: a long-poll ends at once then.
            let signal = agentCommandSignal
            await withGracefulShutdownHandler {
                await signal.wait(after: seen, until: deadline)
            } onGracefulShutdown: {
                Task { await signal.notify() }
            }
            try Task.checkCancellation() // the node went away
        }
    }

    func nodeReportAgentCommand(_ input: Operations.NodeReportAgentCommand.Input) async throws -> Operations.NodeReportAgentCommand.Output {
        let nodeID = try requireNode()
        let id = try uuid(input.path.commandId, field: "commandId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([body.detail.flatMap { InputValidation.text($0, field: "detail", max: 500) }])
        guard try await database.platform({ tx in
            try await AgentCommandRepository.complete(tx, nodeID: nodeID, id: id, applied: body.applied, detail: body.detail)
        }) else { throw ControlPlaneError.notFound("agent command delivered to this node") }
        return .noContent(.init())
    }

    func nodeGetPrompt(_ input: Operations.NodeGetPrompt.Input) async throws -> Operations.NodeGetPrompt.Output {
        let nodeID = try requireNode()
        let tenantID = try uuid(input.path.tenantId, field: "tenantId")
        let name = try Self.promptName(input.path.promptName)
        // Only the node homing the tenant gets its prompts.
        guard let bytes = try await database.platform({ tx -> [UInt8]? in
            guard try await PlacementRepository.homeNode(tx, tenantID: tenantID) == nodeID else { return nil }
            return try await PromptRepository.content(tx, tenantID: tenantID, name: name)
        }) else { throw ControlPlaneError(.notFound, "No prompt '\(name)' for a tenant homed on this node.") }
        return .ok(.init(body: .audioWav(HTTPBody(bytes))))
    }

    func nodeRouteNumber(_ input: Operations.NodeRouteNumber.Input) async throws -> Operations.NodeRouteNumber.Output {
        _ = try requireNode()
        let number = input.query.number
        guard !number.filter(\.isNumber).isEmpty else { throw ControlPlaneError(.badRequest, "number must contain digits.") }
        guard let route = try await database.platform({ tx in
            try await PlacementRepository.route(tx, number: number)
        }) else {
            throw ControlPlaneError(.notFound, "\(number.prefix(32)) is not in service (not allocated, tenant inactive or not homed).")
        }
        return .ok(.init(body: .json(.init(e164: route.e164, tenantId: route.tenantID.uuidString.lowercased(),
                                           nodeId: route.nodeID.uuidString.lowercased(), sipAddress: route.sipAddress))))
    }
}
