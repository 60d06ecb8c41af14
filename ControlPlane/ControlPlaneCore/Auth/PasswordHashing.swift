/// Password hashing for the use cases (bcrypt in `ControlPlaneHTTP`, run off the event loops).
public protocol PasswordHashing: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, hash: String) async throws -> Bool
}
