import CallCenterModel
import Crypto
import Foundation

/// What the node channel reads and writes (inside the caller's platform-scope transaction).
public protocol NodeChannelStore: Sendable {
    /// Decides whether a registration may proceed: a presented `ccb_` token is looked up (and marked
    /// used); otherwise the configured token counts only while no staff-made token exists.
    func admitBootstrap(presented: BearerToken?, configuredTokenMatches: Bool, now: Date) async throws -> BootstrapAdmission
    /// false when a node of that name was removed by staff (it stays removed).
    func registerNode(id: UUID, name: String, sipAddress: String?, version: String?, credential: BearerToken,
                      bootstrapTokenID: UUID?) async throws -> Bool
    /// nil when the node was removed.
    func heartbeat(nodeID: UUID, load: NodeLoad?) async throws -> NodeRecord?

    /// Homes tenants without a (healthy) home on the healthy active node with the fewest tenants.
    func placeUnhomed() async throws
    func configVersion(nodeID: UUID) async throws -> Int64
    func homedTenants(nodeID: UUID) async throws -> [TenantRecord]
    func snapshot(tenant: TenantRecord) async throws -> TenantSnapshotRecord

    /// The tenants homed on `nodeID` now, or since `formerHomeSince`.
    func writableTenants(nodeID: UUID, formerHomeSince: Date) async throws -> Set<UUID>
    /// Those of `ids` that are tenants.
    func existingTenants(_ ids: Set<UUID>) async throws -> Set<UUID>
    /// Stores the rows in one statement; one outcome per row, in order.
    func ingestCDRs(_ rows: [CDRRow]) async throws -> [CDRBatchOutcome]

    func deliverAgentCommands(nodeID: UUID) async throws -> [AgentCommandRecord]
    /// false when no such command was delivered to this node.
    func completeAgentCommand(nodeID: UUID, id: UUID, applied: Bool, detail: String?) async throws -> Bool

    func homeNode(tenantID: UUID) async throws -> UUID?
    func promptContent(tenantID: UUID, name: String) async throws -> [UInt8]?
    func route(number: String) async throws -> NumberRouteRecord?
}

/// What a bootstrap token presented at registration counts as.
public enum BootstrapAdmission: Sendable, Equatable {
    /// A staff-made token, marked used.
    case token(UUID)
    /// The configured token (CC_NODE_BOOTSTRAP_TOKEN), while staff have made none.
    case configured
    case wrong, expired, revoked
    /// The configured token, after staff made tokens of their own.
    case configuredReplaced
}

/// One CDR of an uploaded batch, as read from the wire: the row to store, or why it cannot be.
public enum CDRBatchItem: Sendable {
    case row(CDRRow)
    case refused(String)
}

/// Publishes a tenant's real-time events to its subscribers (the HTTP event hub).
public protocol TenantEventPublisher: Sendable {
    func publish(tenantID: UUID, payload: Data) async
}

/// Wakes a node's agent-command long-poll when a command may have come.
public protocol AgentCommandWakeup: Sendable {
    /// A counter that moves with every wake-up.
    func generation() async -> UInt64
    /// Returns after a wake-up following `seen`, at `deadline`, or when the server shuts down.
    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async
    /// True while the server shuts down: a long-poll answers at once then.
    var isShuttingDown: Bool { get }
}

/// The versioned configuration of the tenants homed on a node.
public struct NodeConfiguration: Sendable {
    public var version: Int64
    public var tenants: [TenantSnapshotRecord]
}

/// The node channel: registration, heartbeats, configuration, uploads (CDRs, events), agent
/// commands, prompts and number routes. Authorisation (a node credential) is the handler's.
public struct NodeChannelUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    /// Registers a node with a bootstrap token; `configuredToken` is CC_NODE_BOOTSTRAP_TOKEN.
    public func register(name: String, sipAddress: String?, version: String?, bootstrapToken: String, configuredToken: String?,
                         now: Date = Date()) async throws -> (id: UUID, credential: String) {
        try InputValidation.check([
            InputValidation.text(name, field: "name", max: 100),
            sipAddress.flatMap { InputValidation.text($0, field: "sipAddress", max: 200) },
            version.flatMap { InputValidation.text($0, field: "version", max: 50) },
        ])
        let presented = BearerToken.parse(bootstrapToken).flatMap { $0.kind == .bootstrap ? $0 : nil }
        guard presented != nil || configuredToken != nil else {
            throw ControlPlaneError(.forbidden, "Node registration needs a bootstrap token made by platform staff (POST /v1/platform/bootstrap-tokens); none was presented and CC_NODE_BOOTSTRAP_TOKEN is not set.")
        }
        // Constant-time comparison of digests, so the configured token cannot be guessed byte by byte.
        let configuredMatches = configuredToken.map { SHA256.hash(data: Array(bootstrapToken.utf8)) == SHA256.hash(data: Array($0.utf8)) } ?? false
        let credential = BearerToken.generate(.node)
        let id = UUID()
        try await work.inPlatform { stores in
            let tokenID: UUID?
            switch try await stores.nodeChannel.admitBootstrap(presented: presented, configuredTokenMatches: configuredMatches, now: now) {
            case .token(let id): tokenID = id
            case .configured: tokenID = nil
            case .wrong: throw ControlPlaneError(.unauthorized, "The bootstrap token is wrong.")
            case .expired: throw ControlPlaneError(.unauthorized, "The bootstrap token expired; ask platform staff for a new one (POST /v1/platform/bootstrap-tokens).")
            case .revoked: throw ControlPlaneError(.unauthorized, "The bootstrap token was revoked; ask platform staff for a new one.")
            case .configuredReplaced:
                throw ControlPlaneError(.unauthorized, "The configured bootstrap token (CC_NODE_BOOTSTRAP_TOKEN) was replaced by tokens made by platform staff; register with one of those.")
            }
            guard try await stores.nodeChannel.registerNode(id: id, name: name, sipAddress: sipAddress, version: version,
                                                            credential: credential, bootstrapTokenID: tokenID) else {
                throw ControlPlaneError(.forbidden, "A node named '\(name.prefix(100))' was removed by platform staff and stays removed; register the machine under a new name.")
            }
        }
        return (id, credential.text)
    }

    public func heartbeat(nodeID: UUID, load: NodeLoad?) async throws -> NodeRecord {
        guard let node = try await work.inPlatform({ try await $0.nodeChannel.heartbeat(nodeID: nodeID, load: load) }) else {
            throw ControlPlaneError(.unauthorized, "This node was removed by platform staff; a removed node stays removed.")
        }
        return node
    }

    /// The snapshot of the tenants homed on the node (placing unhomed tenants first); nil when it is
    /// not newer than `ifNewerThan`.
    public func configuration(nodeID: UUID, ifNewerThan known: Int64?) async throws -> NodeConfiguration? {
        try await work.inPlatform { stores in
            let store = stores.nodeChannel
            try await store.placeUnhomed()
            let version = try await store.configVersion(nodeID: nodeID)
            if let known, known >= version { return nil }
            var snapshots: [TenantSnapshotRecord] = []
            for tenant in try await store.homedTenants(nodeID: nodeID) {
                snapshots.append(try await store.snapshot(tenant: tenant))
            }
            return NodeConfiguration(version: version, tenants: snapshots)
        }
    }

    /// Stores a batch of CDRs in one transaction: repeats within the batch, then which tenants the node
    /// may write for (homed now or within `formerHomeWindow`) and which exist, then every valid CDR in
    /// one statement. One outcome per item, in order.
    public func uploadCDRs(nodeID: UUID, _ items: [CDRBatchItem], formerHomeWindow: Duration,
                           now: Date = Date()) async throws -> [CDRBatchOutcome] {
        var checked: [CDRBatchOutcome?] = []
        var candidates: [(index: Int, row: CDRRow)] = []
        var seen: [UUID: String] = [:]  // id → content hash, for repeats within the batch
        for item in items {
            switch item {
            case .refused(let reason):
                checked.append(.refused(reason))
            case .row(let row):
                if let earlier = seen[row.id] {
                    checked.append(earlier == row.contentHash ? .duplicate : .conflicting)
                } else {
                    seen[row.id] = row.contentHash
                    candidates.append((checked.count, row))
                    checked.append(nil)
                }
            }
        }
        let formerHomeSince = now.addingTimeInterval(-TimeInterval(formerHomeWindow.components.seconds))
        let windowHours = Int(formerHomeWindow.components.seconds / 3600)
        return try await work.inPlatform { stores in
            let store = stores.nodeChannel
            let writable = try await store.writableTenants(nodeID: nodeID, formerHomeSince: formerHomeSince)
            let existing = try await store.existingTenants(Set(candidates.map(\.row.tenantID)))
            var verdicts = checked
            var accepted: [(index: Int, row: CDRRow)] = []
            for (index, row) in candidates {
                if !writable.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.uuidString.lowercased()) is not homed on this node (nor was it within \(windowHours) h); a node uploads CDRs only for its own tenants")
                } else if !existing.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.uuidString.lowercased()) does not exist")
                } else {
                    accepted.append((index, row))
                }
            }
            let stored = try await store.ingestCDRs(accepted.map(\.row))
            for (entry, outcome) in zip(accepted, stored) { verdicts[entry.index] = outcome }
            return verdicts.map { $0 ?? .refused("not processed") }
        }
    }

    /// Publishes node events to their tenants' subscribers; events for tenants the node does not home
    /// (nor homed within `formerHomeWindow`) are dropped, not fanned out. Returns how many were dropped.
    public func publishEvents(nodeID: UUID, _ events: [(tenantID: UUID, payload: Data)], formerHomeWindow: Duration,
                              to publisher: any TenantEventPublisher, now: Date = Date()) async throws -> Int {
        let since = now.addingTimeInterval(-TimeInterval(formerHomeWindow.components.seconds))
        let writable = try await work.inPlatform { try await $0.nodeChannel.writableTenants(nodeID: nodeID, formerHomeSince: since) }
        var dropped = 0
        for (tenantID, payload) in events {
            guard writable.contains(tenantID) else { dropped += 1; continue }
            await publisher.publish(tenantID: tenantID, payload: payload)
        }
        return dropped
    }

    /// The agent commands waiting for the node; when there are none, waits up to `waitSeconds`
    /// (25 when nil, at most 30) for one.
    public func pollAgentCommands(nodeID: UUID, waitSeconds: Int?, wakeup: any AgentCommandWakeup) async throws -> [AgentCommandRecord] {
        let wait = min(max(waitSeconds ?? 25, 0), 30)
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let seen = await wakeup.generation()
            let commands = try await work.inPlatform { try await $0.nodeChannel.deliverAgentCommands(nodeID: nodeID) }
            if !commands.isEmpty || ContinuousClock.now >= deadline || wakeup.isShuttingDown { return commands }
            await wakeup.wait(after: seen, until: deadline)
            try Task.checkCancellation() // the node went away
        }
    }

    public func reportAgentCommand(nodeID: UUID, id: UUID, applied: Bool, detail: String?) async throws {
        try InputValidation.check([detail.flatMap { InputValidation.text($0, field: "detail", max: 500) }])
        guard try await work.inPlatform({ try await $0.nodeChannel.completeAgentCommand(nodeID: nodeID, id: id, applied: applied, detail: detail) }) else {
            throw ControlPlaneError.notFound("agent command delivered to this node")
        }
    }

    /// A prompt of a tenant homed on the node (only the home node gets a tenant's prompts).
    public func prompt(nodeID: UUID, tenantID: UUID, name: String) async throws -> [UInt8] {
        let name = try PromptUseCases.validName(name)
        guard let bytes = try await work.inPlatform({ stores -> [UInt8]? in
            guard try await stores.nodeChannel.homeNode(tenantID: tenantID) == nodeID else { return nil }
            return try await stores.nodeChannel.promptContent(tenantID: tenantID, name: name)
        }) else { throw ControlPlaneError(.notFound, "No prompt '\(name)' for a tenant homed on this node.") }
        return bytes
    }

    /// The tenant and home node serving `number`.
    public func route(number: String) async throws -> NumberRouteRecord {
        guard !number.filter(\.isNumber).isEmpty else { throw ControlPlaneError(.badRequest, "number must contain digits.") }
        guard let route = try await work.inPlatform({ try await $0.nodeChannel.route(number: number) }) else {
            throw ControlPlaneError(.notFound, "\(number.prefix(32)) is not in service (not allocated, tenant inactive or not homed).")
        }
        return route
    }
}
