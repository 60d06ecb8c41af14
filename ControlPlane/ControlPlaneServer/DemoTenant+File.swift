import ControlPlaneDemo
import Foundation

extension DemoTenant {
    /// The demo tenant kept in `file` (owner-only), created through the API at `api` on the first start.
    static func loadOrCreate(file: URL, api: String, staffEmail: String, staffPassword: String) async throws -> DemoTenant {
        if let demo = LocalSecrets.load(DemoTenant.self, from: file) { return demo }
        guard let url = URL(string: api) else { throw SeedError(description: "'\(api)' is not a URL") }
        let demo = try await create(api: url, staffEmail: staffEmail, staffPassword: staffPassword,
                                    adminPassword: LocalSecrets.randomToken(16))
        try LocalSecrets.save(demo, to: file)
        return demo
    }
}
