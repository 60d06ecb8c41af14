import Crypto
import Foundation

/// The login role the request pool connects as (issue 13).
///
/// Design (one URL, derived credentials): `DATABASE_URL` names the owner, who runs the migrations.
/// The migrations create `cc_app_login`, a LOGIN role whose only membership is `cc_app` (no
/// BYPASSRLS, owns nothing), and at every start the owner sets its password to
/// HMAC-SHA256(secret, "cc_app_login"), where the secret is `CC_DB_APP_SECRET` if set, else the
/// owner's own password. The request pool then logs in as `cc_app_login` with that password; so a
/// `SET ROLE`/`RESET ROLE` smuggled into a query can only reach `cc_app_login` itself or `cc_app`, never
/// the owner. Deriving (rather than a random password per start) lets every control-plane instance
/// of a deployment agree on the password without another secret to distribute; rotating the secret
/// (or the owner's password) rotates it at the next start. The embedded cluster (`dev`, `infra/run`,
/// tests) trusts local connections, so it works with no configuration at all.
public enum AppDatabaseLogin {
    public static let role = "cc_app_login"

    /// The password of `role` for `secret` (hex, 64 characters: safe to quote in SQL).
    public static func password(secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(role.utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The secret to derive from: `CC_DB_APP_SECRET`, else the owner's password, else a constant (a
    /// server that trusts local connections, like the embedded one, checks no password).
    public static func secret(environment: [String: String] = ProcessInfo.processInfo.environment, ownerPassword: String?) -> String {
        environment["CC_DB_APP_SECRET"] ?? ownerPassword ?? "cc-app-login-without-owner-password"
    }
}
