import ControlPlaneCore
import Logging
import PostgresNIO

/// Sets the request pool's login password (see `AppDatabaseLogin`); run as the owner after migrating.
public enum AppLoginRole {
    public static func setPassword(_ c: PostgresConnection, password: String, logger: Logger) async throws {
        // Utility statements take no parameters; the password is hex (AppDatabaseLogin.password), so
        // quoting it is safe. The role is created by migration 0013.
        guard password.allSatisfy(\.isHexDigit) else { throw PasswordNotHex() }
        try await c.query("ALTER ROLE \(unescaped: AppDatabaseLogin.role) WITH LOGIN PASSWORD '\(unescaped: password)'", logger: logger)
    }

    struct PasswordNotHex: Error {}
}
