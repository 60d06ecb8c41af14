import ControlPlaneCore

/// The authenticated principal of the request being handled, set by `AuthenticationMiddleware`.
enum RequestPrincipal {
    @TaskLocal static var current: Principal?

    /// The principal, or 401 when the operation was reached without credentials.
    static func require() throws(ControlPlaneError) -> Principal {
        guard let current else { throw ControlPlaneError.unauthenticated }
        return current
    }
}
