import AsyncHTTPClient
import Foundation
import NIOCore

/// The demo tenant the run command seeds (once; kept in `<data-dir>/demo.json` so the next start
/// prints the same credentials): a number routed through a bilingual IVR menu to a queue, and two agents whose SIP credentials
/// are printed, so a person with any softphone can register as an agent and call in. Created through
/// the public API, exactly as a customer would.
struct DemoTenant: Codable {
    var tenantID: String
    var slug: String
    var adminEmail: String
    var adminPassword: String
    var apiKey: String
    var did: String
    var sipDomain: String
    var agents: [Agent]

    struct Agent: Codable {
        var name: String
        var username: String
        var password: String
    }

    struct SeedError: Error, CustomStringConvertible {
        var description: String
    }

    static func loadOrCreate(file: URL, api: String, staffEmail: String, staffPassword: String) async throws -> DemoTenant {
        if let demo = LocalSecrets.load(DemoTenant.self, from: file) { return demo }
        let demo = try await create(api: api, staffEmail: staffEmail, staffPassword: staffPassword)
        try LocalSecrets.save(demo, to: file)
        return demo
    }

    static func create(api: String, staffEmail: String, staffPassword: String) async throws -> DemoTenant {
        let password = LocalSecrets.randomToken(16)
        let signup = try await call(api, "POST", "/v1/signup", json: [
            "tenantName": "Demo Contact Center", "slug": "demo", "contactEmail": "ops@demo.local",
            "timezone": "Asia/Shanghai", "defaultLanguage": "zh-CN", "adminEmail": "admin@demo.local", "adminPassword": password,
        ])
        guard let tenant = (signup["tenant"] as? [String: Any])?["id"] as? String,
              let key = (signup["apiKey"] as? [String: Any])?["secret"] as? String else {
            throw SeedError(description: "sign-up of the demo tenant returned no tenant or key: \(signup)")
        }
        let queue = try await call(api, "POST", "/v1/queues", token: key, json: [
            "name": "Support", "config": ["strategy": "longest_idle", "wrapUpSeconds": 5, "maxWaitSeconds": 600,
                                          "announcements": ["announceOnJoin": true, "positionIntervalSeconds": 30]],
        ])
        guard let queueID = queue["id"] as? String else { throw SeedError(description: "queue creation failed: \(queue)") }
        var agents: [Agent] = []
        var domain = ""
        for (i, name) in ["Li Na", "Wang Wei"].enumerated() {
            let username = "agent\(i + 1)"
            let created = try await call(api, "POST", "/v1/agents", token: key, json: [
                "name": name, "extension": "100\(i + 1)", "sipUsername": username,
            ])
            guard let secret = created["sipSecret"] as? String, let sipDomain = created["sipDomain"] as? String else {
                throw SeedError(description: "agent creation failed: \(created)")
            }
            domain = sipDomain
            agents.append(Agent(name: name, username: username, password: secret))
        }
        let staff = try await call(api, "POST", "/v1/auth/login", json: ["email": staffEmail, "password": staffPassword])
        guard let staffToken = staff["token"] as? String else { throw SeedError(description: "staff login failed: \(staff)") }
        let did = "+8610" + String((0..<8).map { _ in "0123456789".randomElement()! })
        let number = try await call(api, "POST", "/v1/platform/numbers", token: staffToken, json: ["e164": did])
        guard let numberID = number["id"] as? String else { throw SeedError(description: "number creation failed: \(number)") }
        _ = try await call(api, "PUT", "/v1/platform/numbers/\(numberID)/allocation", token: staffToken, json: ["tenantId": tenant])
        // A short bilingual menu in front of the queue: Mandarin by default, 1 for English.
        _ = try await call(api, "POST", "/v1/ivr/flows/main/versions", token: key, json: menuFlow)
        _ = try await call(api, "PUT", "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 1])
        _ = try await call(api, "PUT", "/v1/numbers/\(numberID)", token: key, json: ["type": "ivr", "ivrAlias": "main"])
        _ = queueID
        return DemoTenant(tenantID: tenant, slug: "demo", adminEmail: "admin@demo.local", adminPassword: password, apiKey: key,
                          did: did, sipDomain: domain, agents: agents)
    }

    /// The demo's IVR: a Mandarin welcome, "for English press 1", "中文服务请按二" (no key: Mandarin),
    /// a hold prompt in the chosen language, then the Support queue (announcements on joining).
    static var menuFlow: [String: Any] { [
        "name": "Demo main menu", "start": "welcome", "language": "zh-CN",
        "nodes": [
            "welcome": ["type": "play", "prompt": ["text": "您好，欢迎致电演示呼叫中心。"], "next": "english"],
            "english": ["type": "play", "prompt": ["text": "For English, press 1.", "language": "en-US"], "next": "menu"],
            "menu": ["type": "menu", "prompt": ["text": "中文服务，请按二。"], "options": ["1": "en", "2": "zh"],
                     "timeoutSeconds": 5, "maxAttempts": 2, "onFailure": "zh"],
            "en": ["type": "language", "language": "en-US", "next": "hold_en"],
            "zh": ["type": "language", "language": "zh-CN", "next": "hold_zh"],
            "hold_en": ["type": "play", "prompt": ["text": "Thank you. Please hold for the next available agent."], "next": "queue"],
            "hold_zh": ["type": "play", "prompt": ["text": "谢谢，正在为您转接客服，请稍候。"], "next": "queue"],
            "queue": ["type": "enqueue", "queue": "Support"],
        ] as [String: Any],
    ] }

    /// One JSON request to the API; a non-2xx reply is an error carrying the problem document.
    static func call(_ api: String, _ method: String, _ path: String, token: String? = nil, json: Any) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: api + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status.code) else {
            throw SeedError(description: "\(method) \(path) → \(response.status.code): \(object["detail"] ?? object)")
        }
        return object
    }
}
