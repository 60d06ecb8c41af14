import AsyncHTTPClient
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import PostgresSupport
import TestSupport
@testable import ControlPlaneHTTP

/// One control plane per test: a fresh database cloned from the migrated template, the real
/// application on a real socket (port 0), and a small JSON client.
struct ControlPlaneHarness {
    static let bootstrapToken = "test-bootstrap-token-0123456789"
    static let staffEmail = "staff@platform.test"
    static let staffPassword = "staff-password-1"

    let client: any TestClientProtocol
    /// Superuser access to the same database, for assertions the API does not expose.
    let admin: PostgresClient
    let postgres: PostgresClient
    let configuration: ControlPlaneConfiguration

    /// The request pool's login password (AppDatabaseLogin), set once per test process with the template.
    static let appPassword = AppDatabaseLogin.password(secret: "test-app-login-secret")

    static func databaseConfiguration() async throws -> PostgresClient.Configuration {
        try await TestPostgres.shared.database(template: "controlplane") { connection, logger in
            try await Migrator.bundled().migrate(connection, logger: logger)
            try await AppLoginRole.setPassword(connection, password: appPassword, logger: logger)
        }
    }

    /// The request pool's settings: the same database, logged in as cc_app_login (as `serve` does).
    static func applicationLogin(_ superuser: PostgresClient.Configuration) -> PostgresClient.Configuration {
        var configuration = superuser
        configuration.username = AppDatabaseLogin.role
        configuration.password = appPassword
        return configuration
    }

    static func run(configure: (inout ControlPlaneConfiguration) -> Void = { _ in },
                    _ body: @Sendable (ControlPlaneHarness) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let superuser = try await databaseConfiguration()
        let postgres = PostgresClient(configuration: applicationLogin(superuser), backgroundLogger: logger)
        var configuration = ControlPlaneConfiguration()
        configuration.port = 0
        configuration.bcryptCost = 4
        configuration.nodeBootstrapToken = bootstrapToken
        configuration.maxLoginFailures = 5
        configuration.maxLoginFailuresPerSource = 20
        configure(&configuration)
        let app = try await buildControlPlane(configuration: configuration, postgres: postgres, logger: logger)
        let finalConfiguration = configuration
        let quietLogger = logger
        try await withPostgresClient(superuser, logger: logger) { admin in
            try await bootstrapPlatformStaff(postgres: admin, email: staffEmail, password: staffPassword, bcryptCost: 4, logger: quietLogger)
            try await app.test(.live) { client in
                try await body(ControlPlaneHarness(client: client, admin: admin, postgres: postgres, configuration: finalConfiguration))
            }
        }
    }

    struct Reply: @unchecked Sendable {  // JSON values from JSONSerialization are immutable Foundation types
        var status: Int
        var contentType: String?
        var body: Data
        var retryAfter: String? = nil
        var json: Any? { try? JSONSerialization.jsonObject(with: body) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        subscript(key: String) -> Any? { object[key] }
        func string(_ path: String...) -> String? {
            var value: Any? = object
            for key in path { value = (value as? [String: Any])?[key] }
            return value as? String
        }
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: Any? = nil,
              rawBody: String? = nil, bytes: Data? = nil, contentType: String = "application/json") async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = contentType
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let rawBody {
            headers[.contentType] = contentType
            buffer = ByteBuffer(string: rawBody)
        } else if let bytes {
            headers[.contentType] = contentType
            buffer = ByteBuffer(data: bytes)
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: buffer) { response in
            Reply(status: Int(response.status.code), contentType: response.headers[.contentType],
                  body: Data(buffer: response.body), retryAfter: response.headers[.retryAfter])
        }
    }

    /// Like `call`, on a connection of its own (the test client has one connection and runs one
    /// request at a time): for a request that waits (a long-poll) while the test makes others.
    func callOnOwnConnection(_ method: HTTPRequest.Method, _ path: String, token: String) async throws -> Reply {
        guard let port = client.port else { throw HarnessError("the test server has no port") }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .init(rawValue: method.rawValue)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: Data(buffer: body))
    }

    /// Signs up a tenant; returns (tenant id, admin API key, admin email).
    func signup(_ slug: String) async throws -> (tenantID: String, apiKey: String, adminEmail: String) {
        let email = "admin@\(slug).test"
        let reply = try await call(.post, "/v1/signup", json: [
            "tenantName": "Tenant \(slug)", "slug": slug, "contactEmail": "ops@\(slug).test",
            "timezone": "Asia/Shanghai", "defaultLanguage": "zh-CN",
            "adminEmail": email, "adminPassword": "correct-horse-battery",
        ])
        guard reply.status == 201, let tenant = reply.string("tenant", "id"), let key = reply.string("apiKey", "secret") else {
            throw HarnessError("signup failed: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return (tenant, key, email)
    }

    func staffToken() async throws -> String {
        let reply = try await call(.post, "/v1/auth/login", json: ["email": Self.staffEmail, "password": Self.staffPassword])
        guard let token = reply["token"] as? String else { throw HarnessError("staff login failed: \(reply.status)") }
        return token
    }

    func login(tenant: String, email: String, password: String) async throws -> String {
        let reply = try await call(.post, "/v1/auth/login", json: ["tenant": tenant, "email": email, "password": password])
        guard let token = reply["token"] as? String else {
            throw HarnessError("login failed: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return token
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
