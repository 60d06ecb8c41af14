import ArgumentParser
import CallControl
import ControlPlaneClient
import Foundation
import Logging
import MediaEngine
import Metrics
import NIOCore
import Prometheus
import SDP
import ServiceLifecycle
import SIPTransport
import SIPUserAgent

/// Runs the node: one `ServiceGroup` with the node channel, event uploader, CDR shipper and the
/// SIP/call service. Flags fall back to environment variables (`CC_...`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the media node.")

    @Option(help: "Control plane base URL (env CC_CONTROL_PLANE_URL), e.g. http://127.0.0.1:8080.")
    var controlPlaneURL: String?

    @Option(help: "Node bootstrap token, needed until the node has registered once (env CC_NODE_BOOTSTRAP_TOKEN).")
    var bootstrapToken: String?

    @Option(help: "SIP listen address, UDP and TCP (env CC_SIP_LISTEN).")
    var sipListen: String?

    @Option(help: "Address put in SDP and Contact, reachable by phones (env CC_ADVERTISED_ADDRESS; default: the SIP listen host).")
    var advertisedAddress: String?

    @Option(help: "RTP port range, e.g. 20000-20999 (env CC_RTP_PORTS).")
    var rtpPorts: String?

    @Option(help: "Data directory: identity, snapshot, CDR spool (env CC_NODE_DATA_DIR).")
    var dataDir: String?

    @Option(help: "Node name in the registry (env CC_NODE_NAME; default: host name).")
    var name: String?

    @Option(help: "Seconds live calls may go on after SIGTERM or a drain (env CC_DRAIN_SECONDS).")
    var drainSeconds: Int?

    @Option(help: "Admin listener for /healthz, /readyz and /metrics, host:port or off (env CC_ADMIN_LISTEN; default 127.0.0.1:9090).")
    var adminListen: String?

    @Option(help: "Seconds the CDR shipper and the other control-plane services get once calls are drained (env CC_SHUTDOWN_GRACE_SECONDS; default 3).")
    var shutdownGraceSeconds: Int?

    @Option(help: "Networks IVR HTTP nodes may reach although they are private, comma-separated CIDRs (env CC_EGRESS_EXEMPT; default none).")
    var egressExempt: String?

    @Flag(help: "Let IVR HTTP nodes use plain http and any port (env CC_EGRESS_ALLOW_HTTP=1; default https on 443 only).")
    var egressAllowHttp = false

    @Option(help: "SIP sources never rate-limited or banned (a carrier trunk, an edge proxy), comma-separated IP addresses (env CC_SIP_EXEMPT; default none).")
    var sipExempt: String?

    @Option(help: "SIP messages per second from one address before it is banned (env CC_SIP_MESSAGES_PER_SECOND; default 200).")
    var sipMessagesPerSecond: Int?

    @Option(help: "INVITEs per second from one address before it is banned (env CC_SIP_INVITES_PER_SECOND; default 50).")
    var sipInvitesPerSecond: Int?

    @Option(help: "Wrong digest passwords from one address (within 300 s) before it is banned (env CC_SIP_AUTH_FAILURES; default 5).")
    var sipAuthFailures: Int?

    @Option(help: "Seconds a SIP source ban lasts; its datagrams are dropped unread (env CC_SIP_BAN_SECONDS; default 600).")
    var sipBanSeconds: Int?

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = Logger.Level(rawValue: env["CC_LOG_LEVEL"] ?? "info") ?? .info
            return h
        }
        let logger = Logger(label: "media-node")
        var settings = try NodeSettings(
            controlPlaneURL: controlPlaneURL ?? env["CC_CONTROL_PLANE_URL"] ?? "http://127.0.0.1:8080",
            bootstrapToken: bootstrapToken ?? env["CC_NODE_BOOTSTRAP_TOKEN"],
            sipListen: sipListen ?? env["CC_SIP_LISTEN"] ?? "0.0.0.0:5060",
            advertisedAddress: advertisedAddress ?? env["CC_ADVERTISED_ADDRESS"],
            rtpPorts: rtpPorts ?? env["CC_RTP_PORTS"] ?? "20000-20999",
            dataDirectory: dataDir ?? env["CC_NODE_DATA_DIR"] ?? ".data/node",
            name: name ?? env["CC_NODE_NAME"] ?? ProcessInfo.processInfo.hostName,
            drainSeconds: drainSeconds ?? env["CC_DRAIN_SECONDS"].flatMap(Int.init) ?? 300,
            adminListen: adminListen ?? env["CC_ADMIN_LISTEN"] ?? "127.0.0.1:9090",
            shutdownGraceSeconds: shutdownGraceSeconds ?? env["CC_SHUTDOWN_GRACE_SECONDS"].flatMap(Int.init) ?? 3)
        try settings.limitSIPSources(exempt: sipExempt ?? env["CC_SIP_EXEMPT"],
                                     messagesPerSecond: sipMessagesPerSecond ?? env["CC_SIP_MESSAGES_PER_SECOND"].flatMap(Int.init),
                                     invitesPerSecond: sipInvitesPerSecond ?? env["CC_SIP_INVITES_PER_SECOND"].flatMap(Int.init),
                                     authFailures: sipAuthFailures ?? env["CC_SIP_AUTH_FAILURES"].flatMap(Int.init),
                                     banSeconds: sipBanSeconds ?? env["CC_SIP_BAN_SECONDS"].flatMap(Int.init))
        try settings.widenEgress(exempt: egressExempt ?? env["CC_EGRESS_EXEMPT"], allowHTTP: egressAllowHttp || env["CC_EGRESS_ALLOW_HTTP"] == "1")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try await MediaNodeApplication(settings: settings, metrics: registry, logger: logger).run()
    }
}
