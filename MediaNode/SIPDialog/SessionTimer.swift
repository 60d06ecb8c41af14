import SIPMessage

/// RFC 4028 session timer negotiation and deadlines. Pure: durations only, the owner arms timers.
public struct SessionTimer: Hashable, Sendable {
    public enum Refresher: String, Hashable, Sendable { case uac, uas }

    /// Negotiated Session-Expires in seconds.
    public var interval: UInt32
    public var refresher: Refresher
    /// True if we are the refresher.
    public var weRefresh: Bool

    public init(interval: UInt32, refresher: Refresher, weRefresh: Bool) {
        self.interval = interval
        self.refresher = refresher
        self.weRefresh = weRefresh
    }

    /// Smallest interval we accept (RFC 4028 §4: at least 90 s; default Min-SE).
    public static let minimumInterval: UInt32 = 90

    /// The UAS decision for an INVITE (§9): nil if the peer did not ask for session timers and
    /// `defaultInterval` is nil; throws-free, returns `.tooSmall` when 422 is required.
    public enum Negotiation: Hashable, Sendable {
        case none
        case active(SessionTimer)
        case tooSmall(minSE: UInt32)
    }

    public static func negotiateAsServer(_ request: SIPRequest, defaultInterval: UInt32?, minSE: UInt32 = minimumInterval) -> Negotiation {
        let supported = request.headers.optionTags(.supported).contains("timer")
        if let value = request.headers[.sessionExpires] {
            let parts = value.split(separator: ";").map { String($0).filter { $0 != " " } }
            guard let n = parts.first.flatMap({ UInt32($0) }) else { return .none }
            if n < minSE { return .tooSmall(minSE: minSE) }
            let requested = parts.dropFirst().first { $0.lowercased().hasPrefix("refresher=") }?.dropFirst("refresher=".count)
            // §9: if the UAC supports timers and did not choose, the UAS picks; we let the UAC refresh.
            let refresher: Refresher = requested == "uas" ? .uas : (supported || requested == "uac" ? .uac : .uas)
            return .active(SessionTimer(interval: n, refresher: refresher, weRefresh: refresher == .uas))
        }
        guard let defaultInterval else { return .none }
        // The UAC did not ask: we may still run a timer and refresh ourselves (§9).
        return .active(SessionTimer(interval: max(defaultInterval, minSE), refresher: supported ? .uac : .uas, weRefresh: !supported))
    }

    /// The UAC reading of a 2xx's Session-Expires (§7.2): who refreshes from now on. Nil when the
    /// response has none or an unreadable one (no timer). An interval below `minSE` is raised to it,
    /// so a peer's `0` cannot make us refresh in a loop.
    public static func fromResponse(_ response: SIPResponse, minSE: UInt32 = minimumInterval) -> SessionTimer? {
        guard let value = response.headers[.sessionExpires] else { return nil }
        let parts = value.split(separator: ";").map { String($0).filter { $0 != " " } }
        guard let first = parts.first, first.count <= 10, let n = UInt32(first) else { return nil }
        let uacRefreshes = parts.dropFirst().contains { $0.lowercased() == "refresher=uac" }
        return SessionTimer(interval: max(n, minSE), refresher: uacRefreshes ? .uac : .uas, weRefresh: uacRefreshes)
    }

    /// Session-Expires of a refresh request we send as the refresher (we are its UAC, §7.4).
    public var refreshRequestHeaderValue: String { "\(interval);refresher=uac" }

    /// When the refresher sends its refresh: half the interval (§10).
    public var refreshAfter: Duration { .seconds(Int64(interval) / 2) }

    /// When the other side gives up without a refresh: interval minus min(32, interval/3) (§10).
    public var expireAfter: Duration { .seconds(Int64(interval) - Int64(min(32, interval / 3))) }

    /// Session-Expires header value for our 2xx.
    public var headerValue: String { "\(interval);refresher=\(refresher.rawValue)" }
}
