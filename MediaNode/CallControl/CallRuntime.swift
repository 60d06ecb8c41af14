import ACD
import CallCenterModel
import ControlPlaneAPI
import ControlPlaneClient
import Foundation
import Logging
import MediaEngine
import NIOPosix
import RTPCore
import SIPAuth
import SIPDialog
import SIPUserAgent
import Synchronization

/// The per-tenant runtime of a media node: the `SIPUserAgentDelegate` that turns an INVITE on a
/// DID into a queued call, offers it to agents' registered phones through the tenant's
/// `ACDEngine`, bridges the media, and spools the CDR durably before releasing the call.
///
/// Run it with `run()` (one task group for every call's work, the ACD clock and agent presence).
package actor CallRuntime: SIPUserAgentDelegate {
    /// Settings.
    package struct Configuration: Sendable {
        /// Played to waiting callers when the queue names no prompt.
        package var musicOnHold: [PlaybackItem] = [.tone(Tone(frequencies: [440, 660], levelDBm0: -20), durationMs: 400),
                                                    .silence(durationMs: 2600)]
        /// How often ACD deadlines (ring timeouts, wrap-up ends, max wait) are checked. Default 100 ms.
        package var clockTick: Duration = .milliseconds(100)
        /// How often agents' phone registrations are turned into ACD login/logout. Default 1 s.
        package var presenceInterval: Duration = .seconds(1)
        /// How often each tenant's ACD is reconciled with the calls the node has (a lost event
        /// cannot keep an agent reserved longer than this). Default 30 s.
        package var reconcileInterval: Duration = .seconds(30)
        /// Voicemails: `<dir>/<tenant>/<mailbox>/<call id>.wav`.
        package var voicemailDirectory = FileManager.default.temporaryDirectory.path + "/callcenter-voicemail"
        /// Longest voicemail recorded.
        package var voicemailMaxSeconds = 120
        package init() {}
    }

    let configuration: Configuration
    let media: MediaEngine
    let prompts: PromptRenderer
    let http: IVRHTTPFetcher
    let spool: CdrSpool
    let cdrSpooled: @Sendable () -> Void
    let publish: @Sendable (Components.Schemas.NodeEvent) -> Void
    let routeLookup: @Sendable (String) async -> NumberLookup
    let promptFetch: (@Sendable (_ tenant: String, _ name: String) async throws -> [UInt8])?
    let logger: Logger
    var userAgent: SIPUserAgent?

    var directory = TenantDirectory(snapshot: nil)
    /// Control-plane answers about numbers other nodes serve (cleared by every snapshot).
    var routeCache = NumberLookupCache()
    var engines: [String: ACDEngine] = [:]
    var calls: [String: CallSession] = [:]
    /// Calls each tenant has up, reserved before any await of the INVITE path (the tenant's
    /// `maxConcurrentCalls` is checked against it), released by `finish`.
    var callsPerTenant: [String: Int] = [:]
    var callForDialog: [DialogID: String] = [:]
    var agentCallForDialog: [DialogID: String] = [:]
    var loggedIn: Set<String> = [] // "tenant/agent"
    var draining = false
    var drainWaiters: [CheckedContinuation<Void, Never>] = []

    let work: AsyncStream<@Sendable () async -> Void>
    let workContinuation: AsyncStream<@Sendable () async -> Void>.Continuation

    /// `cdrSpooled` is called after each CDR is durable (wake the shipper); `publish` sends live events.
    package init(configuration: Configuration = Configuration(), media: MediaEngine, spool: CdrSpool,
                 prompts: PromptRenderer? = nil, http: IVRHTTPFetcher = IVRHTTPFetcher(),
                 cdrSpooled: @escaping @Sendable () -> Void = {},
                 publish: @escaping @Sendable (Components.Schemas.NodeEvent) -> Void = { _ in },
                 routeLookup: @escaping @Sendable (String) async -> NumberLookup = { _ in .notInService },
                 promptFetch: (@Sendable (_ tenant: String, _ name: String) async throws -> [UInt8])? = nil,
                 logger: Logger = Logger(label: "call-control")) {
        self.routeLookup = routeLookup
        self.promptFetch = promptFetch
        self.configuration = configuration
        self.media = media
        self.spool = spool
        self.prompts = prompts ?? PromptRenderer(configuration: .init(
            cacheDirectory: FileManager.default.temporaryDirectory.path + "/callcenter-tts",
            promptDirectory: FileManager.default.temporaryDirectory.path + "/callcenter-prompts"))
        self.http = http
        self.cdrSpooled = cdrSpooled
        self.publish = publish
        self.logger = logger
        (work, workContinuation) = AsyncStream.makeStream()
    }

    /// The user agent whose delegate this runtime is (set before `run()`).
    package func attach(_ userAgent: SIPUserAgent) {
        self.userAgent = userAgent
    }

    /// Runs call work, the ACD clock and agent presence until cancelled.
    package func run() async {
        await recoverInterruptedCalls()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.clockLoop() }
            group.addTask { await self.aliveLoop() }
            group.addTask { await self.presenceLoop() }
            group.addTask { await self.reconcileLoop() }
            for await job in work {
                group.addTask { await job() }
            }
            group.cancelAll()
        }
    }

    /// Stops accepting work (after draining) so `run()` returns.
    package func stop() {
        workContinuation.finish()
    }

    func spawn(_ job: @escaping @Sendable () async -> Void) {
        workContinuation.yield(job)
    }

    // MARK: Configuration

    /// Applies a configuration snapshot: the directory is replaced; each tenant's ACD is created or
    /// reconfigured in place (agent and call state kept).
    package func apply(snapshot: NodeSnapshot) {
        let next = TenantDirectory(snapshot: snapshot)
        for issue in next.issues { logger.warning("snapshot problem", metadata: ["issue": "\(issue)"]) }
        let now = Date()
        for tenant in next.tenants.values {
            let queues = tenant.queues.map { (id: ACDQueueID($0.id), configuration: $0.configuration) }
            // Queue members from the snapshot; a queue without members is served by every agent (tier 0).
            let agents = tenant.agents.map {
                (id: ACDAgentID($0.id), configuration: AgentConfiguration(skills: $0.skills, queues: tenant.memberships(of: $0)))
            }
            if var engine = engines[tenant.id] {
                var actions: [ACDAction] = []
                for q in queues { actions += engine.configureQueue(q.id, q.configuration, now: now) }
                for a in agents { actions += engine.configureAgent(a.id, a.configuration, now: now) }
                actions += engine.reconcile(liveCalls: liveACDCalls(tenant: tenant.id), now: now) // issue 14
                engines[tenant.id] = engine
                perform(actions, tenant: tenant.id)
            } else {
                engines[tenant.id] = ACDEngine(queues: queues, agents: agents)
            }
        }
        directory = next
        routeCache.clear()  // a tenant may have moved
        registrarView.replace(next)
        if let fetch = promptFetch {
            let prompts = self.prompts
            for tenant in next.tenants.values {
                let id = tenant.id, list = tenant.prompts
                spawn { await prompts.sync(tenant: id, prompts: list, fetch: fetch) }
            }
        }
        logger.info("configuration applied", metadata: ["config.version": "\(next.version)", "tenants": "\(next.tenants.count)"])
    }

    /// The directory as the registrar reads it (synchronously, from any thread).
    package nonisolated let registrarView = SharedDirectory()

    // MARK: Load and drain

    /// Calls in progress.
    package var activeCalls: Int { calls.count }
    /// Callers waiting in queues.
    package var queueDepth: Int { calls.values.filter { $0.phase == .queued }.count }
    /// Agents logged in (phones registered).
    package var registeredAgents: Int { loggedIn.count }
    package var agentsAvailable: Int {
        directory.tenants.values.reduce(0) { sum, tenant in
            sum + tenant.agents.filter { engines[tenant.id]?.agentState(ACDAgentID($0.id)) == .available }.count
        }
    }

    /// New INVITEs get 503 from now on; returns when every call has ended.
    package func drain() async {
        draining = true
        if calls.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    /// Ends every remaining call (drain deadline passed), writing their CDRs.
    package func endAllCalls(reason: String) async {
        for id in Array(calls.keys) {
            calls[id]?.hangupReason = reason
            if let s = calls[id] { await s.inbound.hangUp() }
            await finish(id, by: .system)
        }
    }

    // MARK: Clocks

    func clockLoop() async {
        while (try? await Task.sleep(for: configuration.clockTick)) != nil {
            let now = Date()
            for (tenant, engine) in engines {
                guard let deadline = engine.nextDeadline, deadline <= now else { continue }
                var e = engine
                let actions = e.advance(to: now)
                engines[tenant] = e
                perform(actions, tenant: tenant)
            }
        }
    }

    /// Notes once a second that the node is alive (bounds the end of calls a crash cuts off).
    func aliveLoop() async {
        let spool = self.spool
        repeat {
            try? await NIOThreadPool.singleton.runIfActive { spool.markAlive(Date()) }
        } while (try? await Task.sleep(for: .seconds(1))) != nil
    }

    /// Agents log in when their phone registers and out when the last binding expires (agent state
    /// commands from the control plane are not in the node channel yet).
    func presenceLoop() async {
        while (try? await Task.sleep(for: configuration.presenceInterval)) != nil {
            await refreshPresence()
        }
    }

    package func refreshPresence() async {
        guard let userAgent else { return }
        let before = loggedIn.count
        defer {
            if loggedIn.count != before { logger.info("agents' phones registered", metadata: ["logged_in": "\(loggedIn.count)"]) }
        }
        for tenant in directory.tenants.values {
            for agent in tenant.agents {
                let registered = !(await userAgent.bindings(for: "sip:\(agent.sipUsername)@\(tenant.sipDomain)").isEmpty)
                let key = tenant.id + "/" + agent.id
                guard registered != loggedIn.contains(key), var engine = engines[tenant.id] else { continue }
                let now = Date()
                var actions: [ACDAction]
                if registered {
                    loggedIn.insert(key)
                    actions = engine.handle(.login(ACDAgentID(agent.id)), now: now)
                    actions += engine.handle(.ready(ACDAgentID(agent.id)), now: now)
                } else {
                    loggedIn.remove(key)
                    actions = engine.handle(.logout(ACDAgentID(agent.id)), now: now)
                }
                engines[tenant.id] = engine
                perform(actions, tenant: tenant.id)
            }
        }
    }
}

/// Where the control plane says a number not in this node's snapshot is served.
package enum NumberLookup: Sendable, Equatable {
    /// Homed on another node, reachable at this SIP URI (`sip:host:port`).
    case elsewhere(sipAddress: String)
    /// Homed here, but the snapshot does not have it yet.
    case here
    case notInService
    /// The control plane could not be asked.
    case unknown
}

/// The current directory for the registrar: HA1 lookup and domain → realm, readable from any thread.
package final class SharedDirectory: DigestCredentialStore, Sendable {
    private let box = Mutex(TenantDirectory(snapshot: nil))

    package init() {}

    func replace(_ directory: TenantDirectory) { box.withLock { $0 = directory } }

    package func ha1(username: String, realm: String, algorithm: DigestAlgorithm) async -> String? {
        box.withLock { $0.ha1(username: username, realm: realm, algorithm: algorithm) }
    }

    /// The realm serving `domain` (its own name when a tenant has it as SIP domain), else nil (404).
    package func realm(forDomain domain: String) -> String? {
        box.withLock { $0.tenant(forDomain: domain)?.sipDomain }
    }

    /// The registration limit of the tenant whose realm is `realm`; nil when it has none.
    package func maxRegistrations(forRealm realm: String) -> Int? {
        box.withLock { $0.tenant(forDomain: realm).map(\.maxRegistrations).flatMap { $0 == .max ? nil : $0 } }
    }
}
