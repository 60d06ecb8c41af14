/// Scanner and flood defence per source address (what Kamailio's pike/ipban and fail2ban give):
/// rates of messages and INVITEs, unconfirmed dialogs and failed digest authentications per
/// source, each leading to a temporary ban, plus a per-account guard against password guessing
/// spread over many sources. A pure value: time is a parameter (`now`, seconds on a monotonic
/// clock), decisions are returned and performed by `SIPSourceGuard` and the user agent.
public struct SIPSourcePolicy: Sendable {
    public struct Configuration: Sendable {
        /// Off: every decision is `.accept` (test peers, benchmarks). Default on.
        public var enabled: Bool
        /// SIP messages (requests and responses, every datagram or framed message) per second
        /// from one address, with a burst of one second's worth (default 200).
        public var messagesPerSecond: Int
        /// INVITEs per second from one address, burst of one second's worth (default 50).
        public var invitesPerSecond: Int
        /// Incoming dialogs from one address not yet confirmed by an ACK (default 100). More are
        /// answered 503 with Retry-After, without any routing or media work.
        public var unconfirmedDialogsPerSource: Int
        /// Failed digest authentications from one address within `failureWindowSeconds` that ban
        /// it (default 5).
        public var authenticationFailuresPerSource: Int
        /// The same for an address where some account authenticated within the last day (an
        /// office NAT with many phones, one of them misconfigured), default 20.
        public var authenticationFailuresPerKnownSource: Int
        /// Failed authentications of one account, from anywhere, within the window after which
        /// any source that fails for it is banned at its first failure (default 20). Sources that
        /// authenticated as the account before are not affected: the real phone keeps working.
        public var authenticationFailuresPerAccount: Int
        /// Window of the failure counts (default 300 s).
        public var failureWindowSeconds: Double
        /// How long a ban lasts (default 600 s); datagrams from a banned address are dropped
        /// before parsing and never answered.
        public var banSeconds: Double
        /// Addresses never limited or banned (a carrier trunk, a Kamailio edge in front).
        public var exemptAddresses: Set<String>
        /// Addresses tracked at most (default 100,000); idle entries are forgotten first, and a
        /// new address beyond the bound is let through untracked rather than refused.
        public var maxTrackedSources: Int

        public init(enabled: Bool = true, messagesPerSecond: Int = 200, invitesPerSecond: Int = 50,
                    unconfirmedDialogsPerSource: Int = 100, authenticationFailuresPerSource: Int = 5,
                    authenticationFailuresPerKnownSource: Int = 20, authenticationFailuresPerAccount: Int = 20, failureWindowSeconds: Double = 300, banSeconds: Double = 600,
                    exemptAddresses: Set<String> = [], maxTrackedSources: Int = 100_000) {
            self.enabled = enabled
            self.messagesPerSecond = messagesPerSecond
            self.invitesPerSecond = invitesPerSecond
            self.unconfirmedDialogsPerSource = unconfirmedDialogsPerSource
            self.authenticationFailuresPerSource = authenticationFailuresPerSource
            self.authenticationFailuresPerKnownSource = authenticationFailuresPerKnownSource
            self.authenticationFailuresPerAccount = authenticationFailuresPerAccount
            self.failureWindowSeconds = failureWindowSeconds
            self.banSeconds = banSeconds
            self.exemptAddresses = exemptAddresses
            self.maxTrackedSources = maxTrackedSources
        }

        /// No limits at all (test peers and benchmarks that call from one address at thousands of calls/s).
        public static var unlimited: Configuration { Configuration(enabled: false) }
    }

    /// Why a message was refused.
    public enum Reason: String, Hashable, Sendable {
        /// The source is banned.
        case banned
        /// Over `messagesPerSecond` (this message started a ban).
        case messageRate = "message_rate"
        /// Over `invitesPerSecond` (this INVITE started a ban).
        case inviteRate = "invite_rate"
        /// Over `unconfirmedDialogsPerSource` (answered 503, no ban).
        case unconfirmedDialogs = "unconfirmed_dialogs"
        /// Too many failed authentications (this failure started a ban).
        case authenticationFailures = "authentication_failures"
    }

    public enum Decision: Hashable, Sendable {
        case accept
        /// Refused. `banStarted`: this message started a ban of its source (log that once).
        case refuse(Reason, banStarted: Bool)

        public var isAccepted: Bool { self == .accept }
    }

    struct Bucket {
        var tokens: Double
        var updated: Double

        /// Takes a token at `now` from a bucket refilled at `rate` per second up to `rate`.
        mutating func take(rate: Int, now: Double) -> Bool {
            let capacity = Double(rate)
            tokens = min(capacity, tokens + max(0, now - updated) * capacity)
            updated = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }

        func isFull(rate: Int, now: Double) -> Bool { tokens + max(0, now - updated) * Double(rate) >= Double(rate) }
    }

    struct Source {
        var messages: Bucket
        var invites: Bucket
        var bannedUntil: Double?
        var unconfirmedDialogs = 0
        var failures = 0
        var failuresSince: Double = 0
        /// When some account last authenticated from here.
        var authenticatedAt: Double?
    }

    struct Account {
        var failures = 0
        var since: Double = 0
        /// Addresses that authenticated as this account, with when they last did.
        var known: [String: Double] = [:]
    }

    public let configuration: Configuration
    private var sources: [String: Source] = [:]
    private var accounts: [String: Account] = [:]
    private var lastSweep: Double = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// A message from `source` arrived (before parsing; `isInvite` from its first bytes).
    public mutating func admit(source: String, isInvite: Bool, now: Double) -> Decision {
        guard configuration.enabled, !configuration.exemptAddresses.contains(source) else { return .accept }
        sweepIfDue(now: now)
        guard var s = sources[source] ?? newSource(now: now) else { return .accept } // table full: untracked
        defer { sources[source] = s }
        if let until = s.bannedUntil {
            if until > now { return .refuse(.banned, banStarted: false) }
            s.bannedUntil = nil
        }
        if !s.messages.take(rate: configuration.messagesPerSecond, now: now) {
            ban(&s, now: now)
            return .refuse(.messageRate, banStarted: true)
        }
        if isInvite, !s.invites.take(rate: configuration.invitesPerSecond, now: now) {
            ban(&s, now: now)
            return .refuse(.inviteRate, banStarted: true)
        }
        return .accept
    }

    /// True while `source` is banned.
    public func isBanned(_ source: String, now: Double) -> Bool {
        guard configuration.enabled, let until = sources[source]?.bannedUntil else { return false }
        return until > now
    }

    /// A new incoming dialog from `source` (an initial INVITE): refused over the limit.
    public mutating func openDialog(source: String, now: Double) -> Decision {
        guard configuration.enabled, !configuration.exemptAddresses.contains(source) else { return .accept }
        guard var s = sources[source] ?? newSource(now: now) else { return .accept }
        defer { sources[source] = s }
        guard s.unconfirmedDialogs < configuration.unconfirmedDialogsPerSource else {
            return .refuse(.unconfirmedDialogs, banStarted: false)
        }
        s.unconfirmedDialogs += 1
        return .accept
    }

    /// A dialog `openDialog` accepted was confirmed (ACK) or ended without confirmation.
    public mutating func closeDialog(source: String) {
        guard var s = sources[source], s.unconfirmedDialogs > 0 else { return }
        s.unconfirmedDialogs -= 1
        sources[source] = s
    }

    /// Credentials from `source` for `account` (e.g. "user@realm") were wrong.
    public mutating func authenticationFailed(source: String, account: String, now: Double) -> Decision {
        guard configuration.enabled, !configuration.exemptAddresses.contains(source) else { return .accept }
        let window = configuration.failureWindowSeconds
        var a = accounts[account] ?? Account()
        if now - a.since > window { a.failures = 0; a.since = now }
        a.failures += 1
        let knownGood = a.known[source].map { now - $0 <= 86_400 } ?? false
        let accountUnderAttack = a.failures > configuration.authenticationFailuresPerAccount
        accounts[account] = a
        guard var s = sources[source] ?? newSource(now: now) else { return .accept }
        defer { sources[source] = s }
        if now - s.failuresSince > window { s.failures = 0; s.failuresSince = now }
        s.failures += 1
        let known = s.authenticatedAt.map { now - $0 <= 86_400 } ?? false
        let limit = known ? configuration.authenticationFailuresPerKnownSource : configuration.authenticationFailuresPerSource
        if s.failures >= limit || (accountUnderAttack && !knownGood) {
            ban(&s, now: now)
            return .refuse(.authenticationFailures, banStarted: true)
        }
        return .accept
    }

    /// `source` authenticated as `account`: its failures are forgiven and it is known-good for the account.
    public mutating func authenticationSucceeded(source: String, account: String, now: Double) {
        guard configuration.enabled else { return }
        if var s = sources[source] ?? newSource(now: now) {
            s.failures = 0
            s.authenticatedAt = now
            sources[source] = s
        }
        var a = accounts[account] ?? Account(since: now)
        if a.known.count >= 64, a.known[source] == nil, let oldest = a.known.min(by: { $0.value < $1.value })?.key {
            a.known[oldest] = nil // a bound: an account has a handful of phones
        }
        a.known[source] = now
        accounts[account] = a
    }

    /// Sources banned: counted at every sweep (every 10 s), plus the bans started since.
    public private(set) var bannedSources = 0

    /// Addresses tracked (for tests and the bound).
    public var trackedSources: Int { sources.count }

    private mutating func ban(_ s: inout Source, now: Double) {
        s.bannedUntil = now + configuration.banSeconds
        bannedSources += 1
    }

    private mutating func newSource(now: Double) -> Source? {
        if sources.count >= configuration.maxTrackedSources {
            if now - lastSweep >= 1 { sweep(now: now) } // at most once a second: a sweep walks the table
            if sources.count >= configuration.maxTrackedSources { return nil }
        }
        return Source(messages: Bucket(tokens: Double(configuration.messagesPerSecond), updated: now),
                      invites: Bucket(tokens: Double(configuration.invitesPerSecond), updated: now))
    }

    private mutating func sweepIfDue(now: Double) {
        guard now - lastSweep >= 10 else { return }
        sweep(now: now)
    }

    /// Forgets sources with nothing to remember: not banned, full buckets, no open dialogs or recent failures.
    private mutating func sweep(now: Double) {
        lastSweep = now
        let window = configuration.failureWindowSeconds
        sources = sources.filter { _, s in
            (s.bannedUntil ?? 0) > now || s.unconfirmedDialogs > 0 || (s.failures > 0 && now - s.failuresSince <= window)
                || s.authenticatedAt.map { now - $0 <= 86_400 } == true
                || !s.messages.isFull(rate: configuration.messagesPerSecond, now: now)
        }
        bannedSources = sources.values.reduce(0) { $0 + (($1.bannedUntil ?? 0) > now ? 1 : 0) }
        accounts = accounts.filter { _, a in
            (a.failures > 0 && now - a.since <= window) || a.known.values.contains { now - $0 <= 86_400 }
        }
    }
}
