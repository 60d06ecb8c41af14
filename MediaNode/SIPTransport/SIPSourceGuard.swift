import NIOConcurrencyHelpers
import NIOCore

/// The node's one `SIPSourcePolicy`, shared by the transport (which drops a banned or flooding
/// source's datagrams before parsing them) and the user agent (dialogs, authentication). The lock
/// is held for a dictionary lookup and a few comparisons; the clock is the process's monotonic one.
public final class SIPSourceGuard: Sendable {
    private let policy: NIOLockedValueBox<SIPSourcePolicy>
    private let origin: ContinuousClock.Instant
    private let onBan: @Sendable (_ address: String, _ reason: SIPSourcePolicy.Reason) -> Void
    public let configuration: SIPSourcePolicy.Configuration

    /// `onBan` is called (outside the lock) once per ban, e.g. to log it.
    public init(configuration: SIPSourcePolicy.Configuration,
                onBan: @escaping @Sendable (_ address: String, _ reason: SIPSourcePolicy.Reason) -> Void = { _, _ in }) {
        self.configuration = configuration
        self.policy = NIOLockedValueBox(SIPSourcePolicy(configuration: configuration))
        self.origin = .now
        self.onBan = onBan
    }

    /// Seconds since this guard was made (the policy's clock).
    var now: Double {
        let (s, atto) = (ContinuousClock.now - origin).components
        return Double(s) + Double(atto) * 1e-18
    }

    /// A datagram or framed message from `address`: false means drop it unread.
    /// `bytes` are the message's first bytes (an INVITE is recognised by its request line).
    func admit(_ address: SocketAddress, firstBytes bytes: UnsafeRawBufferPointer) -> Bool {
        guard configuration.enabled, let ip = address.ipAddress else { return true }
        let invite = bytes.count >= 7 && bytes.prefix(7).elementsEqual("INVITE ".utf8)
        let now = self.now
        let decision = policy.withLockedValue { $0.admit(source: ip, isInvite: invite, now: now) }
        return perform(decision, address: ip)
    }

    /// True while `address` is banned.
    public func isBanned(_ address: String) -> Bool {
        let now = self.now
        return policy.withLockedValue { $0.isBanned(address, now: now) }
    }

    /// A new incoming dialog from `address`; `.refuse` means answer 503 and do nothing else.
    public func openDialog(_ address: String) -> SIPSourcePolicy.Decision {
        let now = self.now
        let decision = policy.withLockedValue { $0.openDialog(source: address, now: now) }
        _ = perform(decision, address: address)
        return decision
    }

    /// A dialog `openDialog` accepted was confirmed or ended.
    public func closeDialog(_ address: String) {
        policy.withLockedValue { $0.closeDialog(source: address) }
    }

    /// Wrong credentials from `address` for `account`; `.refuse` means the source is banned now.
    @discardableResult
    public func authenticationFailed(_ address: String, account: String) -> SIPSourcePolicy.Decision {
        let now = self.now
        let decision = policy.withLockedValue { $0.authenticationFailed(source: address, account: account, now: now) }
        _ = perform(decision, address: address)
        return decision
    }

    /// `address` authenticated as `account`.
    public func authenticationSucceeded(_ address: String, account: String) {
        let now = self.now
        policy.withLockedValue { $0.authenticationSucceeded(source: address, account: account, now: now) }
    }

    /// Sources banned (as of the last sweep plus bans since).
    public var bannedSources: Int { policy.withLockedValue { $0.bannedSources } }

    private func perform(_ decision: SIPSourcePolicy.Decision, address: String) -> Bool {
        guard case .refuse(let reason, let banStarted) = decision else { return true }
        switch reason {
        case .banned: SIPSourceMetrics.rejected(.banned)
        case .messageRate, .inviteRate, .unconfirmedDialogs: SIPSourceMetrics.rejected(.rateLimited)
        case .authenticationFailures: SIPSourceMetrics.rejected(.authentication)
        }
        if banStarted {
            SIPSourceMetrics.bannedSources(bannedSources)
            onBan(address, reason)
        }
        return false
    }
}
