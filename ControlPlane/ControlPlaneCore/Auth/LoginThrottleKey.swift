import Crypto
import Foundation

/// What failed logins are counted against (issue 13), stored only as SHA-256:
/// * the source address, across all accounts (password spraying from one place);
/// * the account *from that source* — so an attacker's failures never lock the real user out of
///   their own account from elsewhere, and concurrent guesses are counted before any is checked.
public struct LoginThrottleKey: Sendable, Equatable {
    public let hash: Data

    public static func source(_ address: String) -> Self {
        Self(text: "source|\(address)")
    }

    public static func account(tenantSlug: String?, email: String, source address: String) -> Self {
        Self(text: "account|\(tenantSlug ?? "-")|\(email.lowercased())|\(address)")
    }

    init(text: String) { hash = Data(SHA256.hash(data: Array(text.utf8))) }
}
