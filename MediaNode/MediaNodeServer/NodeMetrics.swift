import CallControl
import ControlPlaneAPI
import Foundation
import MediaEngine
import Metrics
import NIOPosix
import SIPTransport
import Synchronization

/// The media node's Prometheus series (swift-metrics, bootstrapped with swift-prometheus in
/// `ServeCommand`). Event counters are incremented where things happen (calls ending here, CDR
/// dead letters and upload failures in `CdrMetrics`, SIP refusals in `SIPSourceMetrics`); levels
/// (calls up, registrations, spool depth, reachability, free RTP ports) are read from their
/// owners when `/metrics` is scraped (`refresh`). No label carries a call id, number or tenant.
final class NodeMetrics: Sendable {
    /// What `refresh` reads.
    struct Sources: Sendable {
        var calls: @Sendable () async -> (active: Int, queued: Int, registrations: Int)
        var spool: CdrSpool
        var controlPlaneReachable: @Sendable () async -> Bool
        var draining: @Sendable () -> Bool
        var rtp: @Sendable () async -> MediaPacketTotals
        /// The media engine's RTP ports (available, capacity); nil when the OS picks ports.
        var rtpPorts: @Sendable () -> (available: Int, capacity: Int)?
    }

    static let callsActive = Gauge(label: "media_node_calls_active")
    static let callsQueued = Gauge(label: "media_node_calls_queued")
    static let registrations = Gauge(label: "media_node_registrations")
    static let spoolDepth = Gauge(label: "media_node_cdr_spool_depth")
    static let spoolOldestAge = Gauge(label: "media_node_cdr_spool_oldest_age_seconds")
    static let controlPlaneReachable = Gauge(label: "media_node_control_plane_reachable")
    static let draining = Gauge(label: "media_node_draining")
    /// RTP ports (one per leg) that can still be handed out, and the range's size.
    static let rtpPortsFree = Gauge(label: "media_node_rtp_ports_free")
    static let rtpPortsCapacity = Gauge(label: "media_node_rtp_ports_capacity")
    static let rtpRelayedByLoops = Counter(label: "media_node_rtp_packets_relayed_total", dimensions: [("path", "loop")])
    static let rtpRelayedByKernel = Counter(label: "media_node_rtp_packets_relayed_total", dimensions: [("path", "kernel")])
    static let rtpReceived = Counter(label: "media_node_rtp_packets_received_total")
    static let rtpLost = Counter(label: "media_node_rtp_packets_lost_total")
    static let rtpForeign = Counter(label: "media_node_rtp_foreign_packets_total")
    /// The series `CdrMetrics` (the shipper) increments, created here so they are exported at zero.
    static let cdrDeadLetters = Counter(label: "media_node_cdr_dead_letters_total")
    static let cdrUploadFailures = Counter(label: "media_node_cdr_upload_failures_total")

    /// `media_node_calls_total{disposition}`, one series per CDR disposition.
    static let callsTotal: [Components.Schemas.CdrDisposition: Counter] = Dictionary(
        uniqueKeysWithValues: Components.Schemas.CdrDisposition.allCases.map {
            ($0, Counter(label: "media_node_calls_total", dimensions: [("disposition", $0.rawValue)]))
        })

    let sources: Sources
    /// RTP totals already added to the counters (they only move forward).
    private let exportedRTP = Mutex(MediaPacketTotals())

    init(sources: Sources) {
        self.sources = sources
        // Every series exists from the start, at zero (after MetricsSystem.bootstrap).
        _ = Self.callsTotal
        for gauge in [Self.callsActive, Self.callsQueued, Self.registrations, Self.spoolDepth, Self.spoolOldestAge,
                      Self.controlPlaneReachable, Self.draining] { gauge.record(0) }
        recordRTPPorts()
        for counter in [Self.rtpRelayedByLoops, Self.rtpRelayedByKernel, Self.rtpReceived, Self.rtpLost, Self.rtpForeign] { counter.increment(by: 0) }
        for counter in [Self.cdrDeadLetters, Self.cdrUploadFailures] { counter.increment(by: 0) }
        SIPSourceMetrics.register()
    }

    /// A call ended here (its `call.ended` event, published after the CDR is spooled).
    static func observe(_ event: Components.Schemas.NodeEvent) {
        guard event._type == .call_ended,
              let text = event.data.additionalProperties.value["disposition"] as? String,
              let disposition = Components.Schemas.CdrDisposition(rawValue: text) else { return }
        callsTotal[disposition]?.increment()
    }

    /// Reads the levels from their owners (before each scrape).
    func refresh() async {
        let calls = await sources.calls()
        Self.callsActive.record(calls.active)
        Self.callsQueued.record(calls.queued)
        Self.registrations.record(calls.registrations)
        Self.controlPlaneReachable.record(await sources.controlPlaneReachable() ? 1 : 0)
        Self.draining.record(sources.draining() ? 1 : 0)
        recordRTPPorts()
        let spool = sources.spool
        if let depth = try? await NIOThreadPool.singleton.runIfActive({ try spool.depth() }) {
            Self.spoolDepth.record(depth.count)
            Self.spoolOldestAge.record(depth.oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
        }
        export(await sources.rtp())
    }

    private func recordRTPPorts() {
        guard let ports = sources.rtpPorts() else { return }
        Self.rtpPortsFree.record(ports.available)
        Self.rtpPortsCapacity.record(ports.capacity)
    }

    /// Adds what grew since the last scrape (a figure that went down, a leg's loss corrected by
    /// late packets, is held until it passes the exported value again).
    private func export(_ totals: MediaPacketTotals) {
        let delta = exportedRTP.withLock { exported -> MediaPacketTotals in
            func grow(_ value: UInt64, _ old: inout UInt64) -> UInt64 {
                guard value > old else { return 0 }
                defer { old = value }
                return value - old
            }
            var delta = MediaPacketTotals()
            delta.relayedByLoops = grow(totals.relayedByLoops, &exported.relayedByLoops)
            delta.relayedByKernel = grow(totals.relayedByKernel, &exported.relayedByKernel)
            delta.received = grow(totals.received, &exported.received)
            delta.lost = grow(totals.lost, &exported.lost)
            delta.foreign = grow(totals.foreign, &exported.foreign)
            return delta
        }
        Self.rtpRelayedByLoops.increment(by: Int64(clamping: delta.relayedByLoops))
        Self.rtpRelayedByKernel.increment(by: Int64(clamping: delta.relayedByKernel))
        Self.rtpReceived.increment(by: Int64(clamping: delta.received))
        Self.rtpLost.increment(by: Int64(clamping: delta.lost))
        Self.rtpForeign.increment(by: Int64(clamping: delta.foreign))
    }
}
