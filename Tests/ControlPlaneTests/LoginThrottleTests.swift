import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Issue 13: failed logins are throttled per source and per account-from-that-source, atomically,
/// and an attacker cannot lock the real user out. (The harness allows 5 failures per account and
/// source, and 20 per source, within 5 minutes.)
@Suite("Login throttling")
struct LoginThrottleTests {
    /// POSTs a login on a connection of its own (so many can run at once); returns the status.
    static func login(_ h: ControlPlaneHarness, tenant: String, email: String, password: String) async throws -> Int {
        guard let port = h.client.port else { throw HarnessError("the test server has no port") }
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/auth/login")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        let body = try JSONSerialization.data(withJSONObject: ["tenant": tenant, "email": email, "password": password])
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 16)
        return Int(response.status.code)
    }

    /// A login from another loopback address (curl binds its socket to `source`). The process is
    /// awaited, not waited for: the server answering it runs on this process's cooperative threads.
    static func login(_ h: ControlPlaneHarness, from source: String, tenant: String, email: String, password: String) async throws -> Int {
        guard let port = h.client.port else { throw HarnessError("the test server has no port") }
        let json = "{\"tenant\":\"\(tenant)\",\"email\":\"\(email)\",\"password\":\"\(password)\"}"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "--interface", source,
                             "-H", "content-type: application/json", "-d", json, "http://127.0.0.1:\(port)/v1/auth/login"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let status = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard let code = Int(status) else { throw HarnessError("curl from \(source): '\(status)'") }
        return code
    }

    @Test("20 concurrent guesses at one account: exactly 5 are checked (401), 15 refused (429) — they used to pass the check together")
    func concurrentGuessesAreCountedBeforeChecking() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, _, email) = try await h.signup("acme")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<20 {
                    group.addTask { try await Self.login(h, tenant: "acme", email: email, password: "guess-number-\(i)") }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 429 }.count == 15, "\(statuses.sorted())")
        }
    }

    @Test("an attacker's failures from one address do not lock the real user out from theirs")
    func noLockOutOfTheRealUser() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, _, email) = try await h.signup("acme")
            var attacker: [Int] = []
            for i in 0..<8 { attacker.append(try await Self.login(h, from: "127.0.0.2", tenant: "acme", email: email, password: "guess-\(i)")) }
            #expect(attacker == [401, 401, 401, 401, 401, 429, 429, 429])
            // Even the right password is refused from the attacker's address for now...
            #expect(try await Self.login(h, from: "127.0.0.2", tenant: "acme", email: email, password: "correct-horse-battery") == 429)
            // ...but the real user, elsewhere, logs in.
            #expect(try await Self.login(h, tenant: "acme", email: email, password: "correct-horse-battery") == 200)
        }
    }

    @Test("one address spraying many accounts is stopped after 20 failures, for every account; other addresses are not")
    func sprayFromOneSource() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, _, email) = try await h.signup("acme")
            var statuses: [Int] = []
            for i in 0..<22 {
                statuses.append(try await Self.login(h, from: "127.0.0.3", tenant: "acme", email: "user\(i)@acme.test", password: "Winter2026!"))
            }
            #expect(statuses.prefix(20).allSatisfy { $0 == 401 } && statuses.suffix(2).allSatisfy { $0 == 429 }, "\(statuses)")
            #expect(try await Self.login(h, from: "127.0.0.3", tenant: "acme", email: email, password: "correct-horse-battery") == 429)
            #expect(try await Self.login(h, from: "127.0.0.4", tenant: "acme", email: email, password: "correct-horse-battery") == 200)
            // Counters are shared through PostgreSQL (every control-plane instance sees them) and hold no addresses or emails.
            let rows = try await h.admin.query("SELECT count(*)::int8 FROM login_throttle WHERE length(key_hash) = 32")
            for try await count in rows.decode(Int64.self) { #expect(count > 0) }
        }
    }

    @Test("a throttled login says when to come back: 429 with Retry-After (the failure window, in seconds)")
    func throttledLoginHasRetryAfter() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, _, email) = try await h.signup("acme")
            var last: ControlPlaneHarness.Reply?
            for _ in 0...h.configuration.maxLoginFailures {
                last = try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "wrong-password-1"])
            }
            #expect(last?.status == 429)
            #expect(last?.retryAfter == String(h.configuration.loginFailureWindow.components.seconds))
            #expect(last?.contentType == "application/problem+json")
        }
    }
}
