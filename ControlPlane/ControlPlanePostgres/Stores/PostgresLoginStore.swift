import ControlPlaneCore
import Foundation

/// Login throttle counters, login lookups and sessions over one platform-scope transaction.
struct PostgresLoginStore: LoginStore {
    let tx: Transaction

    func purgeThrottle(olderThan window: Duration) async throws { try await LoginThrottleRepository.purge(tx, olderThan: window) }
    func countAttempt(_ first: LoginThrottleKey, _ second: LoginThrottleKey, window: Duration) async throws -> (first: Int, second: Int) {
        try await LoginThrottleRepository.countAttempt(tx, first, second, window: window)
    }
    func succeeded(clearing cleared: LoginThrottleKey, refunding refunded: LoginThrottleKey) async throws {
        try await LoginThrottleRepository.succeeded(tx, clearing: cleared, refunding: refunded)
    }
    func account(tenantSlug: String?, email: String) async throws -> LoginAccount? {
        try await UserRepository.loginCandidate(tx, tenantSlug: tenantSlug, email: email).map {
            LoginAccount(user: $0.user, passwordHash: $0.passwordHash, tenantStatus: $0.tenantStatus)
        }
    }
    func createSession(user: UserRecord, tokenHash: [UInt8], expiresAt: Date) async throws -> UUID {
        try await SessionRepository.create(tx, user: user, tokenHash: tokenHash, expiresAt: expiresAt)
    }
    func revokeSession(id: UUID) async throws { try await SessionRepository.revoke(tx, id: id) }
}
