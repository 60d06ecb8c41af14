import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Crypto
import Foundation

extension APIHandler {
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
}
