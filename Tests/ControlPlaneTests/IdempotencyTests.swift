import ControlPlaneCore
import ControlPlanePostgres
import ControlPlaneWorkers
import Foundation
import AsyncHTTPClient
import HTTPTypes
import Logging
import NIOCore
import PostgresNIO
import Testing
@testable import ControlPlaneHTTP

/// `Idempotency-Key` on creating POSTs (issue 13, draft-ietf-httpapi-idempotency-key-header), against
/// real PostgreSQL: a retry is answered from the record, never runs the operation twice.
@Suite("Idempotency-Key", .tags(.system))
struct IdempotencyTests {
    static func post(_ h: ControlPlaneHarness, _ path: String, token: String, key: String?, json: Any) async throws
        -> (reply: ControlPlaneHarness.Reply, headers: HTTPFields) {
        var headers = HTTPFields()
        if let key { headers[IdempotencyMiddleware.headerName] = key }
        return try await h.callWithHeaders(.post, path, token: token, json: json, headers: headers)
    }

    static func count(_ h: ControlPlaneHarness, _ sql: PostgresQuery) async throws -> Int {
        var count = 0
        for try await n in try await h.admin.query(sql).decode(Int.self) { count = n }
        return count
    }

    @Test("a retry with the same key and request replays status, Location and body; the skill is created once")
    func replay() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let first = try await Self.post(h, "/v1/skills", token: key, key: "7f2c1f0e-skill-billing", json: ["name": "billing"])
            let again = try await Self.post(h, "/v1/skills", token: key, key: "7f2c1f0e-skill-billing", json: ["name": "billing"])
            #expect(first.reply.status == 201 && again.reply.status == 201, "\(again.reply.status) \(String(decoding: again.reply.body, as: UTF8.self))")
            #expect(again.reply.body == first.reply.body)
            #expect(again.reply.string("id") == first.reply.string("id"))
            #expect(again.headers[.location] == first.headers[.location])
            #expect(first.headers[.location] == "/v1/skills/\(first.reply.string("id") ?? "?")")
            #expect(again.reply.contentType == first.reply.contentType)
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM skills WHERE name = 'billing'") == 1)
            // One record, in the tenant (row-level security applies to it like to every tenant table).
            let tenant = try #require(UUID(uuidString: tenantID))
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM idempotency_keys WHERE tenant_id = \(tenant) AND state = 'completed'") == 1)
            // Without the header, the same request is a new one (and the name is taken: 409).
            let plain = try await Self.post(h, "/v1/skills", token: key, key: nil, json: ["name": "billing"])
            #expect(plain.reply.status == 409)
        }
    }

    @Test("the same key with a different body is 422; another credential's key of the same name is its own")
    func mismatchAndScope() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let first = try await Self.post(h, "/v1/queues", token: key, key: "k-1", json: ["name": "sales", "config": [String: Any]()])
            #expect(first.reply.status == 201)
            let other = try await Self.post(h, "/v1/queues", token: key, key: "k-1", json: ["name": "support", "config": [String: Any]()])
            #expect(other.reply.status == 422)
            #expect(other.reply.contentType == "application/problem+json")
            #expect(other.reply.string("type") == "/docs/problems/validation-failed")
            #expect((other.reply.string("detail") ?? "").contains("Idempotency-Key"))
            // Same path, different path: also a different request.
            let elsewhere = try await Self.post(h, "/v1/skills", token: key, key: "k-1", json: ["name": "sales"])
            #expect(elsewhere.reply.status == 422)
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM queues") == 1)

            // A second key of the tenant using the same key string runs its own request.
            let second = try #require(try await h.call(.post, "/v1/api-keys", token: key, json: ["name": "ci", "scopes": ["config_write"]]).string("secret"))
            let theirs = try await Self.post(h, "/v1/queues", token: second, key: "k-1", json: ["name": "support", "config": [String: Any]()])
            #expect(theirs.reply.status == 201)
            #expect(theirs.reply.string("id") != first.reply.string("id"))
            // ... and another tenant's too.
            let (_, otherTenant, _) = try await h.signup("globex")
            let foreign = try await Self.post(h, "/v1/queues", token: otherTenant, key: "k-1", json: ["name": "sales", "config": [String: Any]()])
            #expect(foreign.reply.status == 201)
            #expect(foreign.reply.string("id") != first.reply.string("id"))
        }
    }

    @Test("a repeat while the first request is in flight is 409; concurrent duplicates create one row")
    func inFlightAndConcurrent() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let me = try await h.call(.get, "/v1/me", token: key)
            let keyID = try #require(me.string("apiKeyId"), "\(me.object)")
            // The first request is mid-way: its claim is recorded, its answer is not (as while its handler runs).
            let body = try JSONSerialization.data(withJSONObject: ["name": "held"])
            let fingerprint = IdempotencyFingerprint.of(method: "POST", path: "/v1/skills", body: body)
            let tenant = try #require(UUID(uuidString: tenantID))
            try await h.admin.query("""
                INSERT INTO idempotency_keys (principal, idempotency_key, tenant_id, fingerprint, state, expires_at)
                VALUES (\("key:" + keyID.lowercased()), 'held-key', \(tenant), \(fingerprint), 'in_flight', now() + interval '1 day')
                """)
            var headers = HTTPFields()
            headers[IdempotencyMiddleware.headerName] = "held-key"
            let held = try await h.callWithHeaders(.post, "/v1/skills", token: key, bytes: body, headers: headers)
            #expect(held.reply.status == 409, "\(held.reply.status) \(String(decoding: held.reply.body, as: UTF8.self))")
            #expect(held.reply.string("type") == "/docs/problems/conflict")
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM skills WHERE name = 'held'") == 0)

            // Eight identical requests at once, each on its own connection.
            guard let port = h.client.port else { throw HarnessError("no port") }
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await ConcurrentPost.send(port: port, path: "/v1/skills", token: key, key: "burst",
                                                                  json: #"{"name":"burst"}"#)
                        return reply
                    }
                }
                var all: [(Int, String?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            let created = statuses.filter { $0.0 == 201 }
            #expect(!created.isEmpty, "\(statuses)")
            #expect(statuses.allSatisfy { $0.0 == 201 || $0.0 == 409 }, "\(statuses)")
            #expect(Set(created.map(\.1)).count == 1, "replays must carry the one created id: \(statuses)")
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM skills WHERE name = 'burst'") == 1)
        }
    }

    @Test("records expire after 24 hours: the expired key runs again, the expiry job deletes it")
    func expiry() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let first = try await Self.post(h, "/v1/agent-groups", token: key, key: "group-key", json: ["name": "tier1", "agentIds": [String]()])
            #expect(first.reply.status == 201)
            #expect(try await Self.count(h, "SELECT extract(epoch FROM expires_at - created_at)::int8 FROM idempotency_keys") == 86_400)
            try await h.admin.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
            // Expired: the same key is a new request (the name is now taken, so the operation itself answers 409).
            let after = try await Self.post(h, "/v1/agent-groups", token: key, key: "group-key", json: ["name": "tier1", "agentIds": [String]()])
            #expect(after.reply.status == 409)
            #expect(after.reply.string("detail")?.contains("Idempotency-Key") == false, "the operation ran: \(after.reply.string("detail") ?? "")")
            // A failed request releases its claim; expired records are swept.
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM idempotency_keys") == 0)
            _ = try await Self.post(h, "/v1/agent-groups", token: key, key: "sweep-me", json: ["name": "tier2", "agentIds": [String]()])
            try await h.admin.query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let deleted = try await IdempotencyKeyExpiry(database: Database(client: h.postgres, logger: logger), logger: logger).runOnce()
            #expect(deleted == 1)
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM idempotency_keys") == 0)
        }
    }

    @Test("bad keys are 400: empty, longer than 255, control characters; 255 is fine")
    func keyBounds() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            for bad in ["", "\"\"", String(repeating: "k", count: 256)] {
                let reply = try await Self.post(h, "/v1/skills", token: key, key: bad, json: ["name": "s-\(bad.count)"])
                #expect(reply.reply.status == 400, "key of \(bad.count) chars: \(reply.reply.status)")
                #expect(reply.reply.contentType == "application/problem+json")
                #expect(reply.reply.string("detail")?.contains("Idempotency-Key") == true)
            }
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM skills") == 0)
            let longest = try await Self.post(h, "/v1/skills", token: key, key: String(repeating: "k", count: 255), json: ["name": "ok"])
            #expect(longest.reply.status == 201)
            // The structured-field form of the draft ("...") names the same key.
            let quoted = try await Self.post(h, "/v1/skills", token: key, key: "\"" + String(repeating: "k", count: 255) + "\"", json: ["name": "ok"])
            #expect(quoted.reply.status == 201 && quoted.reply.string("id") == longest.reply.string("id"))
        }
    }

    @Test("an answer that showed a secret once is not stored: a retry gets 409 naming the created key, and no second key")
    func secretsAreNotReplayed() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let first = try await Self.post(h, "/v1/api-keys", token: key, key: "mint-1", json: ["name": "ci", "scopes": ["config_read"]])
            #expect(first.reply.status == 201)
            let location = try #require(first.headers[.location])
            let again = try await Self.post(h, "/v1/api-keys", token: key, key: "mint-1", json: ["name": "ci", "scopes": ["config_read"]])
            #expect(again.reply.status == 409)
            #expect(again.reply.string("detail")?.contains(location) == true, "\(again.reply.string("detail") ?? "")")
            #expect(!String(decoding: again.reply.body, as: UTF8.self).contains("cck_"))
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM api_keys WHERE name = 'ci'") == 1)
            #expect(try await Self.count(h, "SELECT count(*)::int8 FROM idempotency_keys WHERE response_body IS NOT NULL") == 0)
        }
    }
}

/// One POST on a connection of its own (AsyncHTTPClient), for requests that must overlap.
enum ConcurrentPost {
    static func send(port: Int, path: String, token: String, key: String, json: String) async throws -> (Int, String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        return (Int(response.status.code), object?["id"] as? String)
    }
}
