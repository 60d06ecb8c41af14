import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Foundation

/// A small HTTP server speaking the node channel's wire format (register, heartbeat, config,
/// cdrs, events), for testing the generated client and the node services over real sockets.
/// Its behaviour follows `openapi.yaml`; the real control plane is tested by the lead's suite.
package final class FakeControlPlane: Sendable {
    package struct State {
        package var registrations = 0
        package var heartbeats: [String] = [] // bodies
        package var configRequests: [String?] = [] // ifNewerThan
        package var snapshotVersion: Int64 = 1
        package var adminState = "active"
        package var storedCdrs: [String: String] = [:] // id -> canonical JSON
        package var cdrRequests = 0
        package var failNextCdrRequests = 0
        /// While set, `GET /v1/node/config` answers 503 (a node that has no snapshot yet).
        package var refuseConfig = false
        /// A batch holding a CDR with this caller fails as a whole with 500 (as a control plane
        /// that cannot store one CDR used to).
        package var failBatchesWithCaller: String?
        package var events: [String] = []
        package var redirectsServed = 0
    }

    package static let bootstrapToken = "boot-secret"
    package static let credential = "ccn_testcredential"
    package let state = Mutex(State())

    /// Runs the server on 127.0.0.1:0 while `body` runs; `body` gets the base URL.
    package init() {}

    package func serve<T: Sendable>(_ body: @Sendable (URL) async throws -> T) async throws -> T {
        let router = Router()
        // A tenant's self-service endpoint, for IVR HTTP nodes.
        router.get("/crm/customers/:id") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard request.headers[.authorization] == "Bearer crm-token" else { return Self.problem(401) }
            return Self.reply(200, ["id": id, "tier": id == "8613800138000" ? "gold" : "basic", "balance": 12.5])
        }
        router.post("/crm/echo") { request, context -> Response in
            Self.reply(200, try await Self.json(request))
        }
        // Redirects to the cloud metadata address: a client that follows it is an SSRF.
        router.get("/crm/redirect") { _, _ -> Response in
            self.state.withLock { $0.redirectsServed += 1 }
            return Response(status: .found, headers: [.location: "http://169.254.169.254/latest/meta-data/"])
        }
        router.get("/crm/slow") { _, _ -> Response in
            try await Task.sleep(for: .seconds(3))
            return Self.reply(200, [String: Any]())
        }
        router.post("/v1/node/register") { request, context -> Response in
            let json = try await Self.json(request)
            guard json["bootstrapToken"] as? String == Self.bootstrapToken else { return Self.problem(401) }
            self.state.withLock { $0.registrations += 1 }
            var created = Self.reply(201, ["nodeId": "6f1c3a2e-0000-4000-8000-000000000001", "credential": Self.credential,
                                           "heartbeatIntervalSeconds": 1])
            // openapi.yaml requires Location on every 201; the generated client refuses a reply without it.
            created.headers[.location] = "/v1/platform/nodes/6f1c3a2e-0000-4000-8000-000000000001"
            return created
        }
        router.post("/v1/node/heartbeat") { request, context -> Response in
            guard Self.authorized(request) else { return Self.problem(401) }
            let body = try await request.body.collect(upTo: 1 << 20)
            let (version, admin) = self.state.withLock {
                $0.heartbeats.append(String(buffer: body))
                return ($0.snapshotVersion, $0.adminState)
            }
            return Self.reply(200, ["adminState": admin, "configVersion": version, "heartbeatIntervalSeconds": 1])
        }
        router.get("/v1/node/config") { request, context -> Response in
            guard Self.authorized(request) else { return Self.problem(401) }
            let newer = request.uri.queryParameters.get("ifNewerThan")
            let (version, refuse) = self.state.withLock {
                $0.configRequests.append(newer)
                return ($0.snapshotVersion, $0.refuseConfig)
            }
            if refuse { return Self.problem(503) }
            if let newer, let held = Int64(newer), held >= version { return Response(status: .noContent) }
            return Self.reply(200, Self.snapshot(version: version))
        }
        router.post("/v1/node/cdrs") { request, context -> Response in
            guard Self.authorized(request) else { return Self.problem(401) }
            let fail = self.state.withLock { s -> Bool in
                s.cdrRequests += 1
                if s.failNextCdrRequests > 0 { s.failNextCdrRequests -= 1; return true }
                return false
            }
            if fail { return Self.problem(503) }
            let json = try await Self.json(request)
            if let poison = self.state.withLock({ $0.failBatchesWithCaller }),
               (json["cdrs"] as? [[String: Any]] ?? []).contains(where: { $0["caller"] as? String == poison }) {
                return Self.problem(500)
            }
            var stored: [String] = [], duplicates: [String] = [], rejected: [[String: String]] = []
            for cdr in json["cdrs"] as? [[String: Any]] ?? [] {
                let id = cdr["id"] as? String ?? ""
                let canonical = String(decoding: try JSONSerialization.data(withJSONObject: cdr, options: [.sortedKeys]), as: UTF8.self)
                self.state.withLock { s in
                    switch s.storedCdrs[id] {
                    case nil: s.storedCdrs[id] = canonical; stored.append(id)
                    case canonical: duplicates.append(id)
                    default: rejected.append(["id": id, "detail": "same id, different content"])
                    }
                }
            }
            return Self.reply(200, ["stored": stored, "duplicates": duplicates, "rejected": rejected])
        }
        router.post("/v1/node/events") { request, context -> Response in
            guard Self.authorized(request) else { return Self.problem(401) }
            let body = try await request.body.collect(upTo: 1 << 22)
            self.state.withLock { $0.events.append(String(buffer: body)) }
            return Response(status: .accepted)
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-control-plane")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var ports = portStream.makeAsyncIterator()
            let port = await ports.next() ?? 0
            let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
            group.cancelAll()
            return result
        }
    }

    static func authorized(_ request: Request) -> Bool {
        request.headers[.authorization] == "Bearer \(credential)"
    }

    static func json(_ request: Request) async throws -> [String: Any] {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 22)
        return (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    static func reply(_ status: Int, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func problem(_ status: Int) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["type": "about:blank", "title": "error", "status": status, "detail": "fake \(status)"])) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The snapshot agent's SIP password (user `lina`, domain `acme.sip.test`) and its HA1s.
    package static let agentPassword = "lina-secret"
    static let agentHA1 = (md5: "dff27db0f2e218cdda7faffda7eb85be", sha256: "824d45b8d083510ac05f609bc03a8f8f399b33fea9282a5c57f9779af8982348")

    package static func snapshot(version: Int64) -> [String: Any] {
        ["version": version, "generatedAt": "2026-11-25T12:00:00Z", "tenants": [[
            "tenantId": "00000000-0000-4000-8000-000000000001", "slug": "acme", "status": "active",
            "sipDomain": "acme.sip.test", "allowMD5Digest": true, "timezone": "Asia/Shanghai", "defaultLanguage": "zh-CN",
            "limits": ["maxConcurrentCalls": 2, "maxRegistrations": 50],
            "skills": ["billing"],
            "numbers": [["e164": "+861012345678", "route": ["type": "queue", "queueId": "00000000-0000-4000-8000-0000000000a1"]]],
            "queues": [["id": "00000000-0000-4000-8000-0000000000a1", "name": "Billing", "config": ["strategy": "longest_idle", "ringTimeoutSeconds": 15]]],
            "agents": [["id": "00000000-0000-4000-8000-0000000000b1", "name": "Li Na", "extension": "1001", "sipUsername": "lina",
                        "ha1Md5": agentHA1.md5, "ha1Sha256": agentHA1.sha256, "skills": [["skill": "billing", "level": 5]], "groupIds": []]],
            "ivrAliases": [],
        ]]]
    }
}
