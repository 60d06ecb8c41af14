import CallControl
import ControlPlaneClient
import EgressGuard
import Foundation
import Logging
import MediaEngine
import Prometheus
import SDP
import ServiceLifecycle
import SIPTransport
import SIPUserAgent
import UnixSignals

/// Wires the node's services into one `ServiceGroup`. Order matters for graceful shutdown
/// (reverse order): calls drain first, then the last CDRs ship, events flush, and the node
/// channel (still heartbeating meanwhile) and the admin listener stop last. Once calls are
/// drained, everything after them shares `shutdownGraceSeconds` and is cancelled when it is
/// over (`GraceBoundedService`): the process exits even while the control plane refuses CDRs.
struct MediaNodeApplication {
    let settings: NodeSettings
    let metrics: PrometheusCollectorRegistry
    let logger: Logger

    func run() async throws {
        let directory = try NodeStateDirectory(path: settings.dataDirectory)
        let spool = try CdrSpool(root: settings.dataDirectory + "/cdr-spool")

        var mediaConfiguration = MediaEngineConfiguration(profile: LocalMediaProfile(address: settings.advertisedAddress),
                                                          portRange: settings.rtpPorts)
        mediaConfiguration.bindAddress = settings.sipHost
        let media = MediaEngine(configuration: mediaConfiguration, logger: Logger(label: "media"))

        let connection = ControlPlaneConnection(serverURL: settings.controlPlaneURL)
        let channelBox = ChannelBox()
        let uploader = NodeEventUploader(logger: Logger(label: "node-events")) { await channelBox.channel?.authenticatedClient() }
        let shipper = CdrShipper(spool: spool, uploader: NodeChannelCdrUploader { await channelBox.channel?.authenticatedClient() },
                                 logger: Logger(label: "cdr-shipper"))
        let espeak = PromptEngine.locate()
        if let espeak {
            logger.info("prompt engine", metadata: ["espeak_ng": "\(espeak)"])
        } else {
            logger.error("\(PromptEngine.missingMessage); /readyz reports it")
        }
        var promptConfiguration = PromptRenderer.Configuration(cacheDirectory: settings.dataDirectory + "/tts-cache",
                                                               promptDirectory: settings.dataDirectory + "/prompts")
        promptConfiguration.espeakExecutable = espeak ?? "espeak-ng (not on PATH)"
        let prompts = PromptRenderer(configuration: promptConfiguration, logger: Logger(label: "prompts"))
        var callConfiguration = CallRuntime.Configuration()
        callConfiguration.voicemailDirectory = settings.dataDirectory + "/voicemail"
        let runtime = CallRuntime(configuration: callConfiguration, media: media, spool: spool, prompts: prompts,
                                  http: IVRHTTPFetcher(egress: EgressGuard(policy: settings.egress)), cdrSpooled: { shipper.notify() },
                                  publish: { event in
                                      NodeMetrics.observe(event)
                                      uploader.publish(event)
                                  },
                                  routeLookup: { number in await Self.lookUp(number, channel: channelBox) },
                                  promptFetch: { tenant, name in try await Self.fetchPrompt(tenant: tenant, name: name, channel: channelBox) },
                                  logger: Logger(label: "call-control"))
        let view = runtime.registrarView
        let userAgent = SIPUserAgent(
            configuration: SIPUserAgentConfiguration(
                transport: .init(host: settings.sipHost, udpPort: settings.sipPort, tcpPort: settings.sipPort,
                                 sourcePolicy: settings.sipSourcePolicy),
                registrar: {
                    var settings = RegistrarSettings(credentials: view, realmForDomain: { view.realm(forDomain: $0) })
                    settings.maxRegistrationsForRealm = { view.maxRegistrations(forRealm: $0) }
                    return settings
                }(),
                logger: Logger(label: "sip")),
            delegate: runtime)
        let healthFlags = NodeHealth.Flags()
        let callService = CallService(runtime: runtime, userAgent: userAgent, drainDeadline: .seconds(settings.drainSeconds),
                                      logger: Logger(label: "call-service"), onDraining: { healthFlags.setDraining() })

        let commands = AgentCommandPoller(waitSeconds: 25, logger: Logger(label: "agent-commands"),
                                          clientProvider: { await channelBox.channel?.authenticatedClient(timeout: .seconds(40)) }) { command in
            let state: RequestedAgentState = switch command.state {
            case .available: .available
            case ._break: .onBreak(reason: command.reason ?? "break")
            case .loggedOut: .loggedOut
            }
            return await runtime.applyAgentCommand(tenant: command.tenantId, agent: command.agentId, state: state)
        }

        let groupBox = GroupBox()
        let channel = NodeChannel(
            configuration: .init(nodeName: settings.name, bootstrapToken: settings.bootstrapToken,
                                 sipAddress: "sip:\(settings.advertisedAddress):\(settings.sipPort)"),
            connection: connection, directory: directory,
            hooks: .init(
                load: {
                    NodeChannel.Load(activeCalls: await runtime.activeCalls, registeredPhones: await runtime.registeredAgents,
                                     queueDepth: await runtime.queueDepth, agentsAvailable: await runtime.agentsAvailable)
                },
                snapshot: { await runtime.apply(snapshot: $0) },
                adminState: { state in
                    if state == .draining { await groupBox.group?.triggerGracefulShutdown() }
                }),
            logger: Logger(label: "node-channel"))
        await channelBox.set(channel)

        let grace = ShutdownGrace(grace: .seconds(settings.shutdownGraceSeconds))
        func bounded(_ service: any Service, _ name: String) -> ServiceGroupConfiguration.ServiceConfiguration {
            .init(service: GraceBoundedService(base: service, name: name, grace: grace, logger: logger))
        }
        var services = [
            bounded(channel, "node-channel"),
            bounded(commands, "agent-commands"),
            bounded(uploader, "node-events"),
            bounded(shipper, "cdr-shipper"),
            .init(service: callService),
        ]
        if let admin = settings.admin {
            let health = NodeHealth(flags: healthFlags, userAgent: userAgent, spool: spool, hasSnapshot: { await channel.snapshot != nil }, promptEngine: espeak,
                                    rtpPorts: { media.rtpPortUsage })
            let nodeMetrics = NodeMetrics(sources: .init(
                calls: { (await runtime.activeCalls, await runtime.queueDepth, await runtime.registeredAgents) },
                spool: spool,
                controlPlaneReachable: { await channel.controlPlaneReachable },
                draining: { healthFlags.draining },
                rtp: { await media.packetTotals() },
                rtpPorts: { media.rtpPortUsage }))
            let server = AdminServer.make(host: admin.host, port: admin.port, health: health, metrics: nodeMetrics, registry: metrics,
                                          logger: Logger(label: "admin"))
            services.insert(bounded(server, "admin"), at: 0)
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        await groupBox.set(group)
        logger.info("media node starting", metadata: [
            "control_plane": "\(settings.controlPlaneURL)", "sip": "\(settings.sipHost):\(settings.sipPort)",
            "advertised": "\(settings.advertisedAddress)", "rtp": "\(settings.rtpPorts)", "data_dir": "\(settings.dataDirectory)",
            "admin": "\(settings.admin.map { "\($0.host):\($0.port)" } ?? "off")",
        ])
        try await group.run()
    }
}

extension MediaNodeApplication {
    /// Asks the control plane where a number this node does not serve is homed (2 s at most).
    static func lookUp(_ number: String, channel box: ChannelBox) async -> NumberLookup {
        guard let channel = await box.channel, let client = await channel.authenticatedClient(timeout: .seconds(2)) else {
            return .unknown
        }
        let myID = await channel.identity?.nodeId
        do {
            switch try await client.nodeRouteNumber(query: .init(number: number)) {
            case .ok(let ok):
                let route = try ok.body.json
                if route.nodeId.lowercased() == myID?.lowercased() { return .here }
                guard let address = route.sipAddress else { return .unknown }
                return .elsewhere(sipAddress: address)
            case .notFound:
                return .notInService
            case .badRequest, .unauthorized, .forbidden, .unprocessableContent, .default:
                return .unknown
            }
        } catch {
            return .unknown
        }
    }
}

extension MediaNodeApplication {
    struct PromptUnavailable: Error {}

    /// Downloads a tenant's uploaded prompt (5 MB at most).
    static func fetchPrompt(tenant: String, name: String, channel box: ChannelBox) async throws -> [UInt8] {
        guard let client = await box.channel?.authenticatedClient(timeout: .seconds(30)) else { throw PromptUnavailable() }
        switch try await client.nodeGetPrompt(path: .init(tenantId: tenant, promptName: name)) {
        case .ok(let ok):
            return try await [UInt8](collecting: try ok.body.audioWav, upTo: 5 << 20)
        case .badRequest, .unauthorized, .forbidden, .notFound, .unprocessableContent, .default:
            throw PromptUnavailable()
        }
    }
}

/// Late-bound references between services (the channel's hooks need the group, the uploaders the channel).
actor ChannelBox {
    var channel: NodeChannel?
    func set(_ c: NodeChannel) { channel = c }
}

actor GroupBox {
    var group: ServiceGroup?
    func set(_ g: ServiceGroup) { group = g }
}
