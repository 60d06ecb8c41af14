import Metrics
import Synchronization

/// The SIP ingress's Prometheus series (through swift-metrics; the media node's admin listener
/// exports them at `/metrics`): requests refused by the source policy, by reason, and how many
/// sources are banned right now. Labels are this fixed set of reasons, never addresses or users.
public enum SIPSourceMetrics {
    /// Why a request was refused before any work was done for it.
    public enum Reason: String, Sendable, CaseIterable {
        /// Over a per-source rate (requests/s, INVITEs/s, unauthenticated dialogs).
        case rateLimited = "rate_limited"
        /// From a source that is banned at the moment.
        case banned
        /// Not a SIP message the parser accepts.
        case malformed
        /// Too many failed digest authentications.
        case authentication
        /// Any other rule of the source policy (a tenant limit, a Contact pointing elsewhere).
        case policy
    }

    /// `media_node_sip_rejected_total{reason}`.
    public static let rejectedName = "media_node_sip_rejected_total"
    /// `media_node_sip_banned_sources`.
    public static let bannedSourcesName = "media_node_sip_banned_sources"

    private static let counters = Mutex<[Reason: Counter]>([:])

    /// One request refused for `reason`.
    public static func rejected(_ reason: Reason) {
        counter(for: reason).increment()
    }

    /// Sources banned right now (set whenever a ban starts or ends).
    public static func bannedSources(_ count: Int) {
        Gauge(label: bannedSourcesName).record(count)
    }

    /// Creates every series at zero, so they are exported before the first event (call after
    /// `MetricsSystem.bootstrap`).
    public static func register() {
        for reason in Reason.allCases { _ = counter(for: reason) }
        bannedSources(0)
    }

    private static func counter(for reason: Reason) -> Counter {
        counters.withLock { counters in
            if let counter = counters[reason] { return counter }
            let counter = Counter(label: rejectedName, dimensions: [("reason", reason.rawValue)])
            counters[reason] = counter
            return counter
        }
    }
}
