import CallControl
import Foundation
import Logging
import NodeTestSupport
import SIPMessage
import SIPUserAgent
import Testing

/// The `media-node` process seen from operations: its admin listener (`/healthz`, `/readyz`,
/// `/metrics`), OPTIONS while draining, and a shutdown that ends while CDR uploads fail.
@Suite("media-node operations")
struct MediaNodeOperationsTests {
    static let number = "+861012345678" // FakeControlPlane's snapshot routes it to a queue

    @Test("/healthz answers; /readyz is 503 naming the snapshot until one is pulled, then 200, and 503 naming the spool while it cannot be written")
    func readiness() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        cp.state.withLock { $0.refuseConfig = true }
        try await cp.serve { url in
            let node = try await OperatedNode.launch(url: url, dir: dir.path, rtpPorts: "31200-31299")
            defer { node.process.terminate() }
            let health = try await node.get("/healthz")
            #expect(health.status == 200)
            #expect(health.body.contains("\"ok\""))

            // Registered and heartbeating, but the configuration pull is refused: no snapshot.
            _ = try await node.process.waitForLineContaining("configuration pull failed", timeout: .seconds(20))
            let early = try await node.poll("/readyz") { $0.body.contains("\"snapshot\"") && !$0.body.contains("\"sip\"") }
            #expect(early.status == 503)
            #expect(early.body.contains("\"notReady\":[\"snapshot\"]"), "\(early.body)")

            cp.state.withLock { $0.refuseConfig = false }
            let ready = try await node.poll("/readyz") { $0.status == 200 }
            #expect(ready.status == 200, "\(ready.body)")
            #expect(ready.body.contains("\"ready\""))

            // The spool's pending/ is replaced by a file: no CDR could be written now.
            let pending = dir.path + "/cdr-spool/pending"
            try FileManager.default.moveItem(atPath: pending, toPath: pending + ".away")
            FileManager.default.createFile(atPath: pending, contents: Data())
            let unwritable = try await node.poll("/readyz") { $0.status == 503 }
            #expect(unwritable.status == 503)
            #expect(unwritable.body.contains("\"notReady\":[\"cdr_spool\"]"), "\(unwritable.body)")
            try FileManager.default.removeItem(atPath: pending)
            try FileManager.default.moveItem(atPath: pending + ".away", toPath: pending)
            let readyAgain = try await node.poll("/readyz") { $0.status == 200 }
            #expect(readyAgain.status == 200, "\(readyAgain.body)")
        }
    }

    @Test("without espeak-ng on PATH the node says so once at start and /readyz is 503 naming the prompt engine")
    func missingPromptEngine() async throws {
        let dir = try TemporaryDirectory()
        let emptyBin = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let node = try await OperatedNode.launch(url: url, dir: dir.path, rtpPorts: "31500-31599", searchPath: emptyBin.path)
            defer { node.process.terminate() }
            _ = try await node.process.waitForLineContaining("configuration applied", timeout: .seconds(20))
            let readiness = try await node.poll("/readyz") { !$0.body.contains("\"snapshot\"") && !$0.body.contains("\"sip\"") }
            #expect(readiness.status == 503)
            #expect(readiness.body.contains("\"notReady\":[\"prompt_engine\"]"), "\(readiness.body)")
            #expect(node.process.lines.filter { $0.contains("espeak-ng not found on PATH") }.count == 1)
        }
    }

    @Test("/metrics has the node's series; a call that ends counts in calls total; OPTIONS is 200, then 503 with Retry-After while draining")
    func metricsAndDrain() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let node = try await OperatedNode.launch(url: url, dir: dir.path, rtpPorts: "31300-31399", drainSeconds: 30)
            defer { node.process.terminate() }
            let ready = try await node.poll("/readyz") { $0.status == 200 }
            #expect(ready.status == 200, "\(ready.body)")

            let metrics = try await node.get("/metrics")
            #expect(metrics.status == 200)
            for series in ["media_node_calls_active", "media_node_calls_total{disposition=\"abandoned\"}", "media_node_registrations",
                           "media_node_rtp_packets_relayed_total{path=\"loop\"}", "media_node_rtp_packets_relayed_total{path=\"kernel\"}",
                           "media_node_rtp_packets_lost_total", "media_node_rtp_packets_received_total",
                           "media_node_rtp_foreign_packets_total", "media_node_calls_queued", "media_node_draining", "media_node_cdr_spool_depth", "media_node_cdr_spool_oldest_age_seconds",
                           "media_node_cdr_dead_letters_total", "media_node_cdr_upload_failures_total",
                           "media_node_sip_rejected_total{reason=\"rate_limited\"}", "media_node_sip_banned_sources",
                           "media_node_control_plane_reachable"] {
                #expect(metrics.sample(series) != nil, "missing \(series)")
            }
            #expect(metrics.sample("media_node_calls_total{disposition=\"abandoned\"}") == 0)
            let reachable = try await node.pollMetric("media_node_control_plane_reachable", equals: 1)
            #expect(reachable.sample("media_node_control_plane_reachable") == 1)

            let options = try await sipOptions(port: node.sipPort)
            #expect(options.status == 200)

            try await withCaller { caller in
                let target = SIPURI(user: Self.number, host: "127.0.0.1", port: node.sipPort)
                // A caller waits in the queue (no agent is registered) and hangs up: one abandoned call.
                let first = try await caller.invite(target, offer: plainOffer)
                let up = try await node.pollMetric("media_node_calls_active", equals: 1)
                #expect(up.sample("media_node_calls_active") == 1)
                await first.hangUp()
                let counted = try await node.pollMetric("media_node_calls_total{disposition=\"abandoned\"}", equals: 1)
                #expect(counted.sample("media_node_calls_total{disposition=\"abandoned\"}") == 1)
                #expect(counted.sample("media_node_calls_active") == 0)

                // A second call keeps the node draining after SIGTERM.
                let second = try await caller.invite(target, offer: plainOffer)
                node.process.signal(SIGTERM)
                _ = try await node.process.waitForLineContaining("draining", timeout: .seconds(10))
                let refused = try await sipOptions(port: node.sipPort)
                #expect(refused.status == 503)
                #expect(refused.retryAfter == "30")
                let draining = try await node.get("/readyz")
                #expect(draining.status == 503)
                #expect(draining.body.contains("\"draining\""), "\(draining.body)")
                #expect(try await node.get("/metrics").sample("media_node_draining") == 1)
                await second.hangUp()
            }
            let exit = await node.exit(within: .seconds(15))
            #expect(exit?.status == 0)
        }
    }

    @Test("/readyz is 503 naming rtp_ports while fewer RTP ports are free than a call's caller and agent legs need, 200 once calls end; media_node_rtp_ports_free follows")
    func rtpPortExhaustion() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            // 31600-31605: RTP on 31600, 31602, 31604 (RTCP on the odd port above), three legs. The
            // fake snapshot's tenant takes two calls at once, so two waiting callers leave one port.
            let node = try await OperatedNode.launch(url: url, dir: dir.path, rtpPorts: "31600-31605")
            defer { node.process.terminate() }
            let ready = try await node.poll("/readyz") { $0.status == 200 }
            #expect(ready.status == 200, "\(ready.body)")
            let idle = try await node.get("/metrics")
            #expect(idle.sample("media_node_rtp_ports_free") == 3, "\(idle.body)")
            #expect(idle.sample("media_node_rtp_ports_capacity") == 3)

            try await withCaller { caller in
                let target = SIPURI(user: Self.number, host: "127.0.0.1", port: node.sipPort)
                // Each caller waits in the queue (no agent is registered) on one leg, one RTP port.
                let first = try await caller.invite(target, offer: plainOffer)
                let two = try await node.pollMetric("media_node_rtp_ports_free", equals: 2)
                #expect(two.sample("media_node_rtp_ports_free") == 2)
                let stillReady = try await node.get("/readyz")
                #expect(stillReady.status == 200, "two free ports carry a caller and an agent leg: \(stillReady.body)")

                let second = try await caller.invite(target, offer: plainOffer)
                let short = try await node.poll("/readyz") { $0.status == 503 }
                #expect(short.status == 503)
                #expect(short.body.contains("\"notReady\":[\"rtp_ports\"]"), "\(short.body)")
                #expect(short.body.contains("1 of 3 RTP ports free"), "\(short.body)")
                #expect(try await node.get("/metrics").sample("media_node_rtp_ports_free") == 1)

                await first.hangUp()
                await second.hangUp()
                let readyAgain = try await node.poll("/readyz") { $0.status == 200 }
                #expect(readyAgain.status == 200, "\(readyAgain.body)")
                let freed = try await node.pollMetric("media_node_rtp_ports_free", equals: 3)
                #expect(freed.sample("media_node_rtp_ports_free") == 3)
            }
        }
    }

    @Test("SIGTERM with zero calls while the control plane refuses every CDR upload: the node exits within seconds and the CDR stays in the spool")
    func boundedShutdown() async throws {
        let dir = try TemporaryDirectory()
        let spool = try CdrSpool(root: dir.path + "/cdr-spool")
        let id = UUID().uuidString.lowercased()
        try spool.append(CdrSpool.testRecord(id: id, tenant: "00000000-0000-4000-8000-000000000001", sequence: 0))
        let cp = FakeControlPlane()
        cp.state.withLock { $0.failNextCdrRequests = 1_000_000 }
        try await cp.serve { url in
            let node = try await OperatedNode.launch(url: url, dir: dir.path, rtpPorts: "31400-31499")
            defer { node.process.terminate() }
            // The shipper is in its retry loop: it has been refused twice.
            let refused = try await node.poll("/metrics") { _ in cp.state.withLock { $0.cdrRequests } >= 2 }
            #expect(refused.status == 200)
            #expect(cp.state.withLock { $0.cdrRequests } >= 2)
            node.process.signal(SIGTERM)
            let exit = await node.exit(within: .seconds(20))
            #expect(exit != nil, "still running 20 s after SIGTERM; last lines: \(node.process.lines.suffix(5))")
            if let exit {
                #expect(exit.status == 0)
                #expect(exit.elapsed < .seconds(6), "exited after \(exit.elapsed)")
            }
            #expect(try spool.pendingIDs() == [id])
        }
    }

    /// Runs a caller user agent on 127.0.0.1 for `body`.
    func withCaller(_ body: @Sendable (SIPUserAgent) async throws -> Void) async throws {
        var logger = Logger(label: "operations-caller")
        logger.logLevel = .warning
        let ua = SIPUserAgent(configuration: SIPUserAgentConfiguration(transport: .init(host: "127.0.0.1", udpPort: 0, tcpPort: nil),
                                                                       logger: logger),
                              delegate: RefusingDelegate())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ua.run() }
            _ = try await ua.boundTransport()
            try await body(ua)
            group.cancelAll()
        }
    }
}
