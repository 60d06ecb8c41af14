import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Crypto
import Foundation

extension APIHandler {
    func nodeRegister(_ input: Operations.NodeRegister.Input) async throws -> Operations.NodeRegister.Output {
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        guard let expected = configuration.nodeBootstrapToken else {
            throw ControlPlaneError(.forbidden, "Node registration is disabled: the control plane has no bootstrap token configured (CC_NODE_BOOTSTRAP_TOKEN).")
        }
        // Constant-time comparison of digests, so the token cannot be guessed byte by byte.
        guard SHA256.hash(data: Array(body.bootstrapToken.utf8)) == SHA256.hash(data: Array(expected.utf8)) else {
            throw ControlPlaneError(.unauthorized, "The bootstrap token is wrong.")
        }
        try InputValidation.check([
            InputValidation.text(body.name, field: "name", max: 100),
            body.sipAddress.flatMap { InputValidation.text($0, field: "sipAddress", max: 200) },
            body.version.flatMap { InputValidation.text($0, field: "version", max: 50) },
        ])
        let credential = BearerToken.generate(.node)
        let id = UUID()
        let logger = self.logger
        try await database.platform { c in
            try await NodeRepository.register(c, id: id, name: body.name, sipAddress: body.sipAddress, version: body.version,
                                              credential: credential, logger: logger)
        }
        logger.notice("media node registered", metadata: ["node": "\(id)", "name": "\(body.name)"])
        return .created(.init(body: .json(.init(nodeId: id.wire, credential: credential.text,
                                                heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }

    func nodeHeartbeat(_ input: Operations.NodeHeartbeat.Input) async throws -> Operations.NodeHeartbeat.Output {
        let principal = try RequestPrincipal.require()
        guard case .node(let nodeID) = principal.kind else {
            throw ControlPlaneError(.forbidden, "Node routes accept node credentials only.")
        }
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let load = body.load.map(NodeLoad.init)
        let logger = self.logger
        guard let node = try await database.platform({ c in
            try await NodeRepository.heartbeat(c, id: nodeID, load: load, logger: logger)
        }) else { throw ControlPlaneError(.unauthorized, "This node was removed; register again.") }
        return .ok(.init(body: .json(.init(adminState: .init(rawValue: node.adminState.rawValue)!, configVersion: node.configVersion,
                                           heartbeatIntervalSeconds: Int(configuration.nodeHeartbeatInterval.components.seconds)))))
    }
}
