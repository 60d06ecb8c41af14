import ControlPlaneCore
import Foundation
import Logging
import PostgresNIO

extension BootstrapTokenRepository {
    /// One token by id (platform scope), the `Location` of a new token (issue 13).
    public static func get(_ tx: Transaction, id: UUID) async throws -> BootstrapTokenRecord? {
        try await decode(tx.query("""
            SELECT \(unescaped: columns), \(unescaped: Paging.cursorColumn) FROM node_bootstrap_tokens WHERE id = \(id)
            """)).first?.item
    }
}
