import ControlPlaneCore
import HummingbirdBcrypt
import NIOPosix

/// bcrypt password hashing, off the event loops (each hash costs ~2^cost work).
struct PasswordHasher: Sendable {
    let cost: UInt8

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A hash of a random password nobody knows, made at start with the configured cost: login verifies
    /// against it when the user does not exist, so a wrong email and a wrong password take the same time.
    func makeUnknownUserHash() async throws -> String {
        try await hash("unknown-\(UInt64.random(in: .min ... .max))-\(UInt64.random(in: .min ... .max))")
    }
}

extension PasswordHasher: PasswordHashing {}
