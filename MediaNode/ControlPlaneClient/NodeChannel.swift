package import ControlPlaneAPI
package import Foundation
package import Logging
package import NIOCore
import OpenAPIRuntime
package import ServiceLifecycle

/// The node's side of the node channel (`openapi.yaml`, tag `node`): registers with the bootstrap
/// token (once; the identity is kept in the data directory), heartbeats at the interval the
/// control plane asks for, and pulls the configuration snapshot whenever the heartbeat reply
/// announces a newer version. The last snapshot is persisted and handed to `onSnapshot` at start,
/// before the control plane is reached, so the node serves while the control plane is down.
///
/// A `Service`: it stops on graceful shutdown (place it first in the `ServiceGroup` so it is
/// the last to stop and keeps heartbeating while calls drain).
package actor NodeChannel: Service {
    /// Settings (filled from flags/environment in `main`).
    package struct Configuration: Sendable {
        /// Name shown in the node registry.
        package var nodeName: String
        /// Needed only until the node has registered once.
        package var bootstrapToken: String?
        /// Where the node takes SIP, e.g. `sip:10.0.0.5:5060`.
        package var sipAddress: String?
        package var softwareVersion: String
        /// Heartbeat interval until the control plane names one. Default 5 s.
        package var initialHeartbeatInterval: Duration
        /// Retry delays after a failed request.
        package var backoff: RetryBackoff

        package init(nodeName: String, bootstrapToken: String?, sipAddress: String? = nil, softwareVersion: String = "dev",
                     initialHeartbeatInterval: Duration = .seconds(5), backoff: RetryBackoff = RetryBackoff()) {
            self.nodeName = nodeName
            self.bootstrapToken = bootstrapToken
            self.sipAddress = sipAddress
            self.softwareVersion = softwareVersion
            self.initialHeartbeatInterval = initialHeartbeatInterval
            self.backoff = backoff
        }
    }

    /// What the node reports in each heartbeat.
    package struct Load: Sendable, Hashable {
        package var activeCalls: Int
        package var registeredPhones: Int
        package var queueDepth: Int
        package var agentsAvailable: Int

        package init(activeCalls: Int = 0, registeredPhones: Int = 0, queueDepth: Int = 0, agentsAvailable: Int = 0) {
            self.activeCalls = activeCalls
            self.registeredPhones = registeredPhones
            self.queueDepth = queueDepth
            self.agentsAvailable = agentsAvailable
        }
    }

    /// The admin state staff set for this node.
    package enum AdminState: String, Sendable, Hashable {
        case active, draining, cordoned
    }

    /// Callbacks into the rest of the node.
    package struct Hooks: Sendable {
        package var load: @Sendable () async -> Load
        package var snapshot: @Sendable (NodeSnapshot) async -> Void
        package var adminState: @Sendable (AdminState) async -> Void

        package init(load: @escaping @Sendable () async -> Load = { Load() },
                     snapshot: @escaping @Sendable (NodeSnapshot) async -> Void = { _ in },
                     adminState: @escaping @Sendable (AdminState) async -> Void = { _ in }) {
            self.load = load
            self.snapshot = snapshot
            self.adminState = adminState
        }
    }

    package let configuration: Configuration
    let connection: ControlPlaneConnection
    let directory: NodeStateDirectory
    let hooks: Hooks
    let logger: Logger

    package private(set) var identity: NodeIdentity?
    package private(set) var snapshot: NodeSnapshot?
    package private(set) var adminState: AdminState?
    package private(set) var heartbeatInterval: Duration
    /// Heartbeats acknowledged since start (tests, metrics).
    package private(set) var heartbeatsAcknowledged = 0
    /// Whether the last heartbeat got an answer (metrics: control-plane reachability).
    package private(set) var controlPlaneReachable = false

    package init(configuration: Configuration, connection: ControlPlaneConnection, directory: NodeStateDirectory,
                 hooks: Hooks = Hooks(), logger: Logger = Logger(label: "node-channel")) {
        self.configuration = configuration
        self.connection = connection
        self.directory = directory
        self.hooks = hooks
        self.logger = logger
        self.heartbeatInterval = configuration.initialHeartbeatInterval
        let saved = directory.loadIdentity()
        self.identity = saved?.controlPlaneURL == connection.serverURL.absoluteString ? saved : nil
    }

    /// A client carrying the node credential, or nil before registration.
    package func authenticatedClient() -> Client? {
        identity.map { connection.client(credential: $0.credential) }
    }

    /// An authenticated client whose requests may take up to `timeout` (for long-polls).
    package func authenticatedClient(timeout: TimeAmount) -> Client? {
        identity.map { connection.withTimeout(timeout).client(credential: $0.credential) }
    }

    package func run() async throws {
        if let saved = directory.loadSnapshot() {
            snapshot = saved
            logger.info("serving the persisted configuration snapshot", metadata: ["config.version": "\(saved.version)"])
            await hooks.snapshot(saved)
        }
        try? await cancelWhenGracefulShutdown {
            await self.heartbeatLoop()
        }
    }

    /// Register → heartbeat every interval → pull the snapshot when the reply names another version.
    /// A failing config pull never stops heartbeats (the node keeps serving its last snapshot).
    func heartbeatLoop() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let client = try await registeredClient()
                let reply = try await heartbeat(client)
                failures = 0
                heartbeatsAcknowledged += 1
                controlPlaneReachable = true
                heartbeatInterval = .seconds(max(1, reply.heartbeatIntervalSeconds))
                if reply.configVersion != snapshot?.version || snapshot == nil {
                    do {
                        try await syncConfiguration(client)
                    } catch {
                        if Task.isCancelled { return }
                        logger.warning("configuration pull failed; serving the last snapshot",
                                       metadata: ["error": "\(error)", "config.version": "\(snapshot?.version ?? 0)"])
                    }
                }
                try await Task.sleep(for: heartbeatInterval)
            } catch {
                if Task.isCancelled { return }
                controlPlaneReachable = false
                if let e = error as? ControlPlaneClientError, e.isUnauthorized, identity != nil {
                    // Removed by staff or the database was reset: register again with the bootstrap token.
                    logger.warning("node credential refused; registering again", metadata: ["error": "\(e)"])
                    identity = nil
                    try? directory.removeIdentity()
                }
                let delay = configuration.backoff.delay(attempt: failures)
                failures += 1
                logger.warning("node channel request failed", metadata: ["error": "\(error)", "retry.in": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }

    func registeredClient() async throws -> Client {
        if let identity { return connection.client(credential: identity.credential) }
        guard let token = configuration.bootstrapToken else {
            throw ControlPlaneClientError.notRegistered
        }
        let body = Components.Schemas.NodeRegistration(bootstrapToken: token, name: configuration.nodeName,
                                                       sipAddress: configuration.sipAddress, version: configuration.softwareVersion)
        let output = try await connection.anonymousClient().nodeRegister(body: .json(body))
        switch output {
        case .created(let created):
            let registered = try created.body.json
            let identity = NodeIdentity(nodeId: registered.nodeId, credential: registered.credential,
                                        controlPlaneURL: connection.serverURL.absoluteString)
            try directory.saveIdentity(identity)
            self.identity = identity
            heartbeatInterval = .seconds(max(1, registered.heartbeatIntervalSeconds))
            logger.info("registered with the control plane", metadata: ["node.id": "\(identity.nodeId)"])
            return connection.client(credential: identity.credential)
        case .badRequest(let response):
            throw ControlPlaneClientError.declared(400, response)
        case .unauthorized(let response):
            throw ControlPlaneClientError.declared(401, response)
        case .forbidden(let response):
            throw ControlPlaneClientError.declared(403, response)
        case .conflict(let response):
            throw ControlPlaneClientError.declared(409, response)
        case .contentTooLarge(let response):
            throw ControlPlaneClientError.declared(413, response)
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.declared(422, response)
        case .default(let status, let problem):
            throw ControlPlaneClientError.status(status, detail: problem.detailText)
        }
    }

    func heartbeat(_ client: Client) async throws -> Components.Schemas.NodeHeartbeatReply {
        let load = await hooks.load()
        let body = Components.Schemas.NodeHeartbeat(
            load: .init(activeCalls: load.activeCalls, registeredPhones: load.registeredPhones,
                        queueDepth: load.queueDepth, agentsAvailable: load.agentsAvailable),
            configVersion: snapshot?.version)
        switch try await client.nodeHeartbeat(body: .json(body)) {
        case .ok(let ok):
            let reply = try ok.body.json
            let state = AdminState(rawValue: reply.adminState.rawValue) ?? .active
            if state != adminState {
                adminState = state
                logger.info("admin state", metadata: ["node.admin_state": "\(state.rawValue)"])
                await hooks.adminState(state)
            }
            return reply
        case .badRequest(let response):
            throw ControlPlaneClientError.declared(400, response)
        case .unauthorized(let response):
            throw ControlPlaneClientError.declared(401, response)
        case .forbidden(let response):
            throw ControlPlaneClientError.declared(403, response)
        case .contentTooLarge(let response):
            throw ControlPlaneClientError.declared(413, response)
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.declared(422, response)
        case .default(let status, let problem):
            throw ControlPlaneClientError.status(status, detail: problem.detailText)
        }
    }

    /// GET /v1/node/config?ifNewerThan=<held version>; a new snapshot is persisted before use.
    func syncConfiguration(_ client: Client) async throws {
        switch try await client.nodeGetConfig(query: .init(ifNewerThan: snapshot?.version)) {
        case .ok(let ok):
            let fresh = try ok.body.json
            try directory.saveSnapshot(fresh)
            snapshot = fresh
            logger.info("configuration snapshot", metadata: ["config.version": "\(fresh.version)", "tenants": "\(fresh.tenants.count)"])
            await hooks.snapshot(fresh)
        case .noContent:
            break
        case .badRequest(let response):
            throw ControlPlaneClientError.declared(400, response)
        case .unauthorized(let response):
            throw ControlPlaneClientError.declared(401, response)
        case .forbidden(let response):
            throw ControlPlaneClientError.declared(403, response)
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.declared(422, response)
        case .default(let status, let problem):
            throw ControlPlaneClientError.status(status, detail: problem.detailText)
        }
    }
}
