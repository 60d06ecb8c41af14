import Foundation

/// A user as login sees them (platform scope): the user, their password hash and their tenant's status.
public struct LoginAccount: Sendable {
    public var user: UserRecord
    public var passwordHash: String
    public var tenantStatus: TenantStatus?

    public init(user: UserRecord, passwordHash: String, tenantStatus: TenantStatus?) {
        self.user = user
        self.passwordHash = passwordHash
        self.tenantStatus = tenantStatus
    }
}

/// Failed-login counters and sessions, as login and logout need them (platform scope).
public protocol LoginStore: Sendable {
    /// Drops throttle counters whose window ended.
    func purgeThrottle(olderThan window: Duration) async throws
    /// Counts one attempt against both keys and returns each key's attempts in its window.
    func countAttempt(_ first: LoginThrottleKey, _ second: LoginThrottleKey, window: Duration) async throws -> (first: Int, second: Int)
    /// A login succeeded: `cleared`'s counter is dropped and `refunded` gets this attempt back.
    func succeeded(clearing cleared: LoginThrottleKey, refunding refunded: LoginThrottleKey) async throws
    /// The user with that email in the tenant with that slug (nil slug: platform staff).
    func account(tenantSlug: String?, email: String) async throws -> LoginAccount?
    func createSession(user: UserRecord, tokenHash: [UInt8], expiresAt: Date) async throws -> UUID
    func revokeSession(id: UUID) async throws
}

/// How logins are throttled and how long a session lives (from the configuration).
public struct LoginPolicy: Sendable {
    /// Attempts allowed per account from one source address within `failureWindow`.
    public var maxFailuresPerAccount: Int
    /// Attempts allowed from one source address, across accounts, within `failureWindow`.
    public var maxFailuresPerSource: Int
    public var failureWindow: Duration
    public var sessionLifetime: Duration

    public init(maxFailuresPerAccount: Int, maxFailuresPerSource: Int, failureWindow: Duration, sessionLifetime: Duration) {
        self.maxFailuresPerAccount = maxFailuresPerAccount
        self.maxFailuresPerSource = maxFailuresPerSource
        self.failureWindow = failureWindow
        self.sessionLifetime = sessionLifetime
    }
}

/// A new session token, shown once.
public struct LoginSession: Sendable {
    public var token: String
    public var expiresAt: Date
    public var user: UserRecord
}

/// Whether a credential of a tenant in `status` may be used (nil: platform staff, no tenant).
public enum TenantAccess {
    public static func check(_ status: TenantStatus?) throws(ControlPlaneError) {
        switch status {
        case .none, .active?: return
        case .suspended?:
            throw ControlPlaneError(.tenantNotActive, "Your tenant is suspended; API access is blocked until platform staff reactivate it. Contact support.")
        case .closed?:
            throw ControlPlaneError(.tenantNotActive, "Your tenant is closed.")
        }
    }
}

/// Logging in (session tokens) and out.
public struct AuthUseCases: Sendable {
    let work: any UnitOfWork
    let hasher: any PasswordHashing
    let policy: LoginPolicy
    /// A hash of a password nobody knows: unknown users are verified against it so timing does not
    /// reveal which accounts exist.
    let unknownUserHash: String

    public init(work: any UnitOfWork, hasher: any PasswordHashing, policy: LoginPolicy, unknownUserHash: String) {
        self.work = work
        self.hasher = hasher
        self.policy = policy
        self.unknownUserHash = unknownUserHash
    }

    /// `source`: the client's address, which attempts are counted against.
    public func login(tenantSlug: String?, email: String, password: String, source: String,
                      now: @Sendable () -> Date = Date.init) async throws -> LoginSession {
        let sourceKey = LoginThrottleKey.source(source)
        let accountKey = LoginThrottleKey.account(tenantSlug: tenantSlug, email: email, source: source)
        let window = policy.failureWindow
        // Count this attempt before checking the password, in one statement: concurrent guesses each
        // get their own count, so no more than the limit are ever checked. The account's count is per
        // source, so an attacker elsewhere cannot lock the real user out.
        let (candidate, attempts) = try await work.inPlatform { stores in
            if Int.random(in: 0..<256) == 0 { try await stores.logins.purgeThrottle(olderThan: window) }
            let attempts = try await stores.logins.countAttempt(accountKey, sourceKey, window: window)
            return (try await stores.logins.account(tenantSlug: tenantSlug, email: email), attempts)
        }
        let minutes = max(1, Int(window.components.seconds / 60))
        guard attempts.first <= policy.maxFailuresPerAccount else {
            throw ControlPlaneError(.tooManyRequests, "Too many failed logins for this account from your address; wait \(minutes) minutes and try again.",
                                    retryAfterSeconds: Int(window.components.seconds))
        }
        guard attempts.second <= policy.maxFailuresPerSource else {
            throw ControlPlaneError(.tooManyRequests, "Too many failed logins from your address; wait \(minutes) minutes and try again.",
                                    retryAfterSeconds: Int(window.components.seconds))
        }
        // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
        let verified = try await hasher.verify(password, hash: candidate?.passwordHash ?? unknownUserHash)
        guard let candidate, verified else {
            throw ControlPlaneError(.unauthorized, "The email, password or tenant is wrong.")
        }
        try await work.inPlatform { stores in
            try await stores.logins.succeeded(clearing: accountKey, refunding: sourceKey)
        }
        try TenantAccess.check(candidate.tenantStatus)
        let token = BearerToken.generate(.session)
        let expiresAt = now().addingTimeInterval(TimeInterval(policy.sessionLifetime.components.seconds))
        _ = try await work.inPlatform { stores in
            try await stores.logins.createSession(user: candidate.user, tokenHash: token.hash, expiresAt: expiresAt)
        }
        return LoginSession(token: token.text, expiresAt: expiresAt, user: candidate.user)
    }

    /// Revokes the caller's session; other credentials cannot log out.
    public func logout(_ principal: Principal) async throws {
        guard case .user(_, _, let sessionID) = principal.kind else {
            throw ControlPlaneError(.forbidden, "Only session tokens can log out; revoke API keys with DELETE /v1/api-keys/{keyId}.")
        }
        try await work.inPlatform { try await $0.logins.revokeSession(id: sessionID) }
    }
}
