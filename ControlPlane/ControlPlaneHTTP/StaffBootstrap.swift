import ControlPlaneCore
import ControlPlanePostgres
public import Foundation
public import Logging
public import PostgresNIO

/// Creates the first platform-staff user when none exists (first start of a deployment).
/// Returns true when it created one.
@discardableResult
public func bootstrapPlatformStaff(postgres: PostgresClient, email: String, password: String, bcryptCost: UInt8,
                                   logger: Logger) async throws -> Bool {
    try InputValidation.check([InputValidation.email(email, field: "CC_BOOTSTRAP_STAFF_EMAIL"),
                               InputValidation.password(password, field: "CC_BOOTSTRAP_STAFF_PASSWORD")])
    let database = Database(client: postgres, logger: logger)
    let hash = try await PasswordHasher(cost: bcryptCost).hash(password)
    return try await database.platform { tx in
        guard try await !UserRepository.staffExists(tx) else { return false }
        let user = UserRecord(id: UUID(), tenantID: nil, email: email, name: "Platform staff", role: .platformStaff, createdAt: Date())
        try await UserRepository.insert(tx, user, passwordHash: hash)
        logger.notice("created first platform-staff user", metadata: ["email": "\(email)"])
        return true
    }
}
