public import Foundation

/// Settings of the control-plane HTTP service. Read from flags/environment in `main` only.
public struct ControlPlaneConfiguration: Sendable {
    /// Address and port to listen on; port 0 picks a free one (tests).
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// How long a login session lasts.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// bcrypt cost for passwords (each +1 doubles the work). 12 ≈ 250 ms on one core.
    public var bcryptCost: UInt8 = 12
    /// The initial secret a media node presents to register (CC_NODE_BOOTSTRAP_TOKEN). Accepted only
    /// until platform staff make a bootstrap token through the API (expiring, revocable); nil: only those.
    public var nodeBootstrapToken: String?
    /// How long a node may still upload a tenant's CDRs and events after the tenant moved to another node.
    public var nodeFormerHomeWindow: Duration = .seconds(24 * 3600)
    /// How often nodes should send heartbeats.
    public var nodeHeartbeatInterval: Duration = .seconds(5)
    /// A node with no heartbeat for this long is marked `down`.
    public var nodeDownAfter: Duration = .seconds(30)
    /// How often the liveness monitor sweeps.
    public var livenessSweepInterval: Duration = .seconds(5)
    /// Tenants get the SIP domain `<slug>.<sipDomainSuffix>` (also their digest realm).
    public var sipDomainSuffix: String = "sip.localhost"
    /// Login attempts allowed per account from one source address within `loginFailureWindow`
    /// before 429 (a successful login clears them); other addresses are not affected.
    public var maxLoginFailures: Int = 10
    /// Login attempts allowed from one source address, across accounts, within `loginFailureWindow`
    /// before 429 (each successful login gives its attempt back).
    public var maxLoginFailuresPerSource: Int = 100
    public var loginFailureWindow: Duration = .seconds(300)

    /// A connection that sends nothing (no request, or headers that stop half way) for this long
    /// is closed (slowloris). Default 30 s.
    public var idleTimeout: Duration = .seconds(30)
    /// A request body must arrive completely within this long (`RequestLimitsMiddleware`). Default 30 s.
    public var bodyDeadline: Duration = .seconds(30)
    /// An open event stream's credential is checked again this often (logout, revocation and
    /// suspension end it). Default 15 s.
    public var eventStreamRecheck: Duration = .seconds(15)
    /// Event streams a tenant may have open at once (429 beyond). Default 50.
    public var maxEventStreamsPerTenant = 50
    /// Reverse proxies (CIDRs, e.g. `10.0.0.0/8`) whose `X-Forwarded-For` is believed: behind one,
    /// the client address (login throttling, logs) is the right-most address in the header that is
    /// not a trusted proxy. Empty (the default): the TCP peer, and the header is ignored, so a
    /// client cannot pick the address it is throttled as.
    public var trustedProxies: [String] = []

    public init() {}
}
