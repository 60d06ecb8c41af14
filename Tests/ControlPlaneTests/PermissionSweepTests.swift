import Foundation
import HTTPTypes
import NodeTestSupport
import Testing

/// Issue 13: every operation of openapi.yaml, called with every kind of credential, answers as the
/// permission table (README "Permission table", `PermissionTable`) says: allowed → 2xx with ids of rows
/// that exist in the caller's tenant (101 for the event stream's WebSocket handshake); denied →
/// exactly 401 (no credential) or 403. Every status seen must be declared for the operation in
/// openapi.yaml, and every 201 must carry a `Location` where the created resource can be read.
@Suite("Permission sweep")
struct PermissionSweepTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var operations: [OpenAPIOperation] {
        get throws { OpenAPIOperation.read(try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)) }
    }

    @Test("the README's permission table is the test's table, and covers every operation in openapi.yaml exactly once")
    func tableMatchesREADMEAndSpec() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- permission-table:start -->"), "README.md has no permission table markers")
        let end = try #require(readme.range(of: "<!-- permission-table:end -->"))
        let section = String(readme[start.upperBound..<end.lowerBound])
        let parsed = PermissionTable.parse(markdown: section)
        #expect(parsed == PermissionTable.groups, "README.md's table differs from PermissionTable; it should read:\n\(PermissionTable.markdown)")

        let operations = try Self.operations
        #expect(operations.count > 80, "read \(operations.count) operations from openapi.yaml")
        let inSpec = operations.map(\.operationID)
        let inTable = PermissionTable.groups.flatMap(\.operations)
        #expect(Set(inSpec).subtracting(inTable).sorted() == [], "operations missing from the permission table")
        #expect(Set(inTable).subtracting(inSpec).sorted() == [], "operations in the table that openapi.yaml does not have")
        #expect(inTable.count == Set(inTable).count, "an operation is in more than one group")
    }

    @Test("every operation × every credential kind answers as the permission table says")
    func sweep() async throws {
        let operations = try Self.operations
        try await ControlPlaneHarness.run { h in
            let fixture = try await SweepFixture.make(h)
            var failures: [String] = []
            var calls = 0
            for operation in operations {
                guard let group = PermissionTable.group(of: operation.operationID) else {
                    failures.append("\(operation): not in the permission table")
                    continue
                }
                guard let recipe = fixture.recipes[operation.operationID] else {
                    failures.append("\(operation): the sweep has no request recipe for it")
                    continue
                }
                for caller in Caller.allCases {
                    let request = try await recipe(caller)
                    var path = operation.path
                    for (name, value) in request.parameters { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                    if path.contains("{") { failures.append("\(operation): no value for a path parameter in \(path)"); continue }
                    if let query = request.query { path += "?" + query }
                    guard let method = HTTPRequest.Method(operation.method.uppercased()) else { continue }
                    let token = request.token ?? fixture.tokens[caller]
                    var (reply, location) = try await h.callReadingLocation(method, path, token: token, json: request.json,
                                                                            bytes: request.bytes, contentType: request.contentType)
                    calls += 1
                    let allowed = group.callers.contains(caller)
                    var success = 200..<300
                    if request.webSocketHandshake {
                        // The event stream: a plain GET names the refusal (401/403 problem) or, when the
                        // credential may subscribe, asks for the upgrade (426 problem). Then the handshake
                        // itself: 101 when allowed; refused, the WebSocket library answers 400 without a body.
                        let expectedPlain = allowed ? 426 : (caller == .none ? 401 : 403)
                        if reply.status != expectedPlain || reply.contentType != "application/problem+json" {
                            failures.append("\(operation) as \(caller.rawValue): a plain GET answered \(reply.status) \(reply.contentType ?? "-"), expected a \(expectedPlain) problem")
                        }
                        if !operation.declaredStatuses.contains(reply.status) {
                            failures.append("\(operation) as \(caller.rawValue): answered \(reply.status), which openapi.yaml does not declare for it")
                        }
                        reply = try await h.webSocketHandshake(path, token: token)
                        calls += 1
                        success = 101..<102
                        if !allowed {
                            if reply.status != 400 { failures.append("\(operation) as \(caller.rawValue): the refused handshake answered \(reply.status)") }
                            continue
                        }
                        location = nil
                    }
                    let body = String(decoding: reply.body.prefix(300), as: UTF8.self)
                    if !operation.declaredStatuses.contains(reply.status) {
                        failures.append("\(operation) as \(caller.rawValue): answered \(reply.status), which openapi.yaml does not declare for it")
                    }
                    if reply.status == 201 {
                        if let location {
                            // Sign-up's new tenant is read with the admin key it returns.
                            let reader = reply.string("apiKey", "secret") ?? request.readToken ?? token
                            let created = try await h.call(.get, location, token: reader)
                            if created.status != 200 {
                                failures.append("\(operation) as \(caller.rawValue): Location \(location) answers \(created.status)")
                            } else if let id = reply.createdID, !String(decoding: created.body, as: UTF8.self).contains(id) {
                                failures.append("\(operation) as \(caller.rawValue): Location \(location) is not the created \(id)")
                            }
                        } else {
                            failures.append("\(operation) as \(caller.rawValue): 201 without Location")
                        }
                    }
                    if allowed, !success.contains(reply.status) {
                        failures.append("\(operation) as \(caller.rawValue): allowed by '\(group.name)' but got \(reply.status) \(body)")
                    } else if !allowed {
                        let expected = caller == .none ? 401 : 403
                        if reply.status != expected {
                            failures.append("\(operation) as \(caller.rawValue): denied by '\(group.name)', expected \(expected), got \(reply.status) \(body)")
                        } else if reply.contentType != "application/problem+json" {
                            failures.append("\(operation) as \(caller.rawValue): \(reply.status) is not a problem document")
                        }
                    }
                }
            }
            #expect(calls >= operations.count * Caller.allCases.count - failures.count)
            #expect(failures.isEmpty, "\(failures.count) of \(calls) calls disagree with the permission table:\n\(failures.joined(separator: "\n"))")
        }
    }
}

/// One call of the sweep: path parameters, query, body, and a token to use instead of the caller's
/// (a fresh session for logout).
struct SweepRequest {
    var parameters: [String: String] = [:]
    var query: String?
    var json: Any?
    var bytes: Data?
    var contentType = "application/json"
    var token: String?
    /// Open the WebSocket (GET /v1/events): allowed is 101.
    var webSocketHandshake = false
    /// The credential that reads the `Location` of a 201, when not the caller's (a node reads its registration as staff).
    var readToken: String?
}

/// A tenant with one of everything, a credential of every kind, and a recipe per operation.
/// Recipes that destroy or consume their target (delete, revoke, remove, log out, report) make a
/// fresh one for every call, so every caller meets a target that exists.
final class SweepFixture {
    let h: ControlPlaneHarness
    var tokens: [Caller: String] = [:]
    var recipes: [String: (Caller) async throws -> SweepRequest] = [:]
    private var counter = 0

    init(_ h: ControlPlaneHarness) { self.h = h }

    func next() -> Int {
        counter += 1
        return counter
    }

    static func require(_ value: Any?, _ what: String) throws -> String {
        guard let text = value as? String else { throw HarnessError("sweep fixture: no \(what)") }
        return text
    }

    static func make(_ h: ControlPlaneHarness) async throws -> SweepFixture {
        let f = SweepFixture(h)
        let (tenantID, admin, adminEmail) = try await h.signup("acme")
        let adminPassword = "correct-horse-battery"
        let staff = try await h.staffToken()
        f.tokens[.platformStaff] = staff
        f.tokens[.keyAdmin] = admin
        f.tokens[.tenantAdmin] = try await h.login(tenant: "acme", email: adminEmail, password: adminPassword)
        var roleUsers: [String: String] = [:]
        for role in ["supervisor", "agent"] {
            let user = try await h.call(.post, "/v1/users", token: admin, json: [
                "email": "\(role)@acme.test", "role": role, "password": "\(role)-password-1"])
            roleUsers[role] = try require(user["id"], "\(role) user")
        }
        f.tokens[.supervisor] = try await h.login(tenant: "acme", email: "supervisor@acme.test", password: "supervisor-password-1")
        f.tokens[.agent] = try await h.login(tenant: "acme", email: "agent@acme.test", password: "agent-password-1")
        for caller in Caller.allCases {
            guard let scope = caller.scope, scope != "admin" else { continue }
            f.tokens[caller] = try require(try await h.call(.post, "/v1/api-keys", token: admin,
                                                            json: ["name": scope, "scopes": [scope]]).string("secret"), "\(scope) key")
        }
        let node = try await NodeChannelTests.registerNode(h, name: "node-1")
        f.tokens[.node] = node.credential
        // Later nodes register with a staff-made bootstrap token (the sweep itself makes more, which retires the configured one).
        let bootstrapReply = try await h.call(.post, "/v1/platform/bootstrap-tokens", token: staff, json: ["name": "sweep", "expiresInSeconds": 3600])
        let bootstrap = try require(bootstrapReply["secret"], "bootstrap token")
        let bootstrapID = try require(bootstrapReply.string("token", "id"), "bootstrap token id")

        // One of everything in the tenant.
        let skillID = try require(try await h.call(.post, "/v1/skills", token: admin, json: ["name": "billing"])["id"], "skill")
        let agentID = try require(try await h.call(.post, "/v1/agents", token: admin,
                                                   json: ["name": "Li", "extension": "1001", "sipUsername": "li"]).string("agent", "id"), "agent")
        let groupID = try require(try await h.call(.post, "/v1/agent-groups", token: admin,
                                                   json: ["name": "tier1", "agentIds": [agentID]])["id"], "group")
        let queueID = try require(try await h.call(.post, "/v1/queues", token: admin,
                                                   json: ["name": "sales", "config": [String: Any]()])["id"], "queue")
        let numberID = try require(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": "+861012345678"])["id"], "number")
        _ = try await h.call(.put, "/v1/platform/numbers/\(numberID)/allocation", token: staff, json: ["tenantId": tenantID])
        let work = try TemporaryDirectory()
        try WAVSamples.writeTone(work.path + "/chime.wav", hz: 1200, seconds: 0.2)
        let wav = try Data(contentsOf: URL(fileURLWithPath: work.path + "/chime.wav"))
        _ = try await h.call(.put, "/v1/prompts/chime.wav", token: admin, bytes: wav, contentType: "audio/wav")
        let flow = IVRFlowAPITests.flow(greeting: "Press 1 for sales.")
        for _ in 1...2 { _ = try await h.call(.post, "/v1/ivr/flows/main/versions", token: admin, json: flow) }
        _ = try await h.call(.put, "/v1/ivr/aliases/main", token: admin, json: ["flowName": "main", "version": 1])
        let commandID = try require(try await h.call(.put, "/v1/agents/\(agentID)/state", token: admin,
                                                     json: ["state": "available"])["id"], "agent command")
        let keyID = try require(try await h.call(.get, "/v1/api-keys", token: admin).items.first?["id"], "API key")
        _ = try await h.call(.get, "/v1/node/config", token: node.credential)  // homes the tenant on node-1

        // Fresh targets for recipes that consume theirs.
        func freshUser() async throws -> String {
            try require(try await h.call(.post, "/v1/users", token: admin, json: [
                "email": "u\(f.next())@acme.test", "role": "agent", "password": "agent-password-1"])["id"], "fresh user")
        }
        func freshNode() async throws -> String {
            try require(try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": bootstrap, "name": "sweep-node-\(f.next())"])["nodeId"],
                        "fresh node")
        }
        func freshNumber(allocated: Bool) async throws -> String {
            let id = try require(try await h.call(.post, "/v1/platform/numbers", token: staff,
                                                  json: ["e164": "+86105550\(1000 + f.next())"])["id"], "fresh number")
            if allocated { _ = try await h.call(.put, "/v1/platform/numbers/\(id)/allocation", token: staff, json: ["tenantId": tenantID]) }
            return id
        }
        func freshCommandDeliveredToNode() async throws -> String {
            let id = try require(try await h.call(.put, "/v1/agents/\(agentID)/state", token: admin,
                                                  json: ["state": "available"])["id"], "fresh command")
            _ = try await h.call(.get, "/v1/node/agent-commands?waitSeconds=0", token: node.credential)
            return id
        }
        let cdrStart = "2026-11-25T10:00:00Z"

        f.recipes = [
            "getHealth": { _ in SweepRequest() },
            "getOpenApiDocument": { _ in SweepRequest() },
            "listProblemTypes": { _ in SweepRequest() },
            "getProblemType": { _ in SweepRequest(parameters: ["problemType": "validation-failed"]) },
            "getEvents": { _ in SweepRequest(webSocketHandshake: true) },
            "getReadiness": { _ in SweepRequest() },
            "getMetrics": { _ in SweepRequest() },
            "signup": { _ in
                let n = f.next()
                return SweepRequest(json: ["tenantName": "Sweep \(n)", "slug": "sweep-\(n)", "contactEmail": "ops@sweep\(n).test",
                                           "adminEmail": "admin@sweep\(n).test", "adminPassword": "correct-horse-battery"])
            },
            "login": { _ in SweepRequest(json: ["tenant": "acme", "email": adminEmail, "password": adminPassword]) },
            "nodeRegister": { _ in SweepRequest(json: ["bootstrapToken": bootstrap, "name": "sweep-node-\(f.next())"], readToken: staff) },
            "getMe": { _ in SweepRequest() },
            "logout": { caller in
                switch caller {
                case .platformStaff: SweepRequest(token: try await h.staffToken())
                case .tenantAdmin: SweepRequest(token: try await h.login(tenant: "acme", email: adminEmail, password: adminPassword))
                case .supervisor, .agent:
                    SweepRequest(token: try await h.login(tenant: "acme", email: "\(caller.rawValue)@acme.test", password: "\(caller.rawValue)-password-1"))
                default: SweepRequest()
                }
            },
            "getTenant": { _ in SweepRequest() },
            "updateTenant": { _ in SweepRequest(json: ["name": "Tenant acme"]) },

            "listUsers": { _ in SweepRequest() },
            "createUser": { _ in SweepRequest(json: ["email": "new\(f.next())@acme.test", "role": "agent", "password": "agent-password-1"]) },
            "getUser": { _ in SweepRequest(parameters: ["userId": roleUsers["agent"] ?? ""]) },
            "updateUser": { _ in SweepRequest(parameters: ["userId": try await freshUser()], json: ["name": "Renamed"]) },
            "deleteUser": { _ in SweepRequest(parameters: ["userId": try await freshUser()]) },

            "listApiKeys": { _ in SweepRequest() },
            "createApiKey": { _ in SweepRequest(json: ["name": "minted", "scopes": ["keys_manage"]]) },
            "getApiKey": { _ in SweepRequest(parameters: ["keyId": keyID]) },
            "revokeApiKey": { _ in
                // keys_manage: the weakest key every caller allowed to revoke may revoke (none may revoke a stronger one).
                let key = try await h.call(.post, "/v1/api-keys", token: admin, json: ["name": "doomed", "scopes": ["keys_manage"]])
                return SweepRequest(parameters: ["keyId": try require(key.string("key", "id"), "fresh key")])
            },

            "listSkills": { _ in SweepRequest() },
            "createSkill": { _ in SweepRequest(json: ["name": "skill-\(f.next())"]) },
            "getSkill": { _ in SweepRequest(parameters: ["skillId": skillID]) },
            "updateSkill": { _ in SweepRequest(parameters: ["skillId": skillID], json: ["name": "billing", "description": "invoices"]) },
            "deleteSkill": { _ in
                let id = try require(try await h.call(.post, "/v1/skills", token: admin, json: ["name": "doomed-\(f.next())"])["id"], "fresh skill")
                return SweepRequest(parameters: ["skillId": id])
            },

            "listAgents": { _ in SweepRequest() },
            "createAgent": { _ in
                let n = f.next()
                return SweepRequest(json: ["name": "Agent \(n)", "extension": "\(2000 + n)", "sipUsername": "agent\(n)"])
            },
            "getAgent": { _ in SweepRequest(parameters: ["agentId": agentID]) },
            "updateAgent": { _ in SweepRequest(parameters: ["agentId": agentID], json: ["name": "Li Na"]) },
            "deleteAgent": { _ in
                let n = f.next()
                let id = try require(try await h.call(.post, "/v1/agents", token: admin, json: [
                    "name": "Doomed", "extension": "\(5000 + n)", "sipUsername": "doomed\(n)"]).string("agent", "id"), "fresh agent")
                return SweepRequest(parameters: ["agentId": id])
            },
            "rotateAgentSipSecret": { _ in SweepRequest(parameters: ["agentId": agentID]) },
            "setAgentSkills": { _ in SweepRequest(parameters: ["agentId": agentID], json: [["skillId": skillID, "level": 5]]) },
            "setAgentState": { _ in SweepRequest(parameters: ["agentId": agentID], json: ["state": "available"]) },
            "getAgentCommand": { _ in SweepRequest(parameters: ["commandId": commandID]) },

            "listAgentGroups": { _ in SweepRequest() },
            "createAgentGroup": { _ in SweepRequest(json: ["name": "group-\(f.next())", "agentIds": [agentID]]) },
            "getAgentGroup": { _ in SweepRequest(parameters: ["groupId": groupID]) },
            "replaceAgentGroup": { _ in SweepRequest(parameters: ["groupId": groupID], json: ["name": "tier1", "agentIds": [agentID]]) },
            "deleteAgentGroup": { _ in
                let id = try require(try await h.call(.post, "/v1/agent-groups", token: admin,
                                                      json: ["name": "doomed-\(f.next())", "agentIds": [String]()])["id"], "fresh group")
                return SweepRequest(parameters: ["groupId": id])
            },

            "listQueues": { _ in SweepRequest() },
            "createQueue": { _ in SweepRequest(json: ["name": "queue-\(f.next())", "config": [String: Any]()]) },
            "getQueue": { _ in SweepRequest(parameters: ["queueId": queueID]) },
            "replaceQueue": { _ in SweepRequest(parameters: ["queueId": queueID], json: ["name": "sales", "config": [String: Any]()]) },
            "deleteQueue": { _ in
                let id = try require(try await h.call(.post, "/v1/queues", token: admin,
                                                      json: ["name": "doomed-\(f.next())", "config": [String: Any]()])["id"], "fresh queue")
                return SweepRequest(parameters: ["queueId": id])
            },
            "getQueueMembers": { _ in SweepRequest(parameters: ["queueId": queueID]) },
            "replaceQueueMembers": { _ in SweepRequest(parameters: ["queueId": queueID], json: ["items": [["agentId": agentID]]]) },

            "listNumbers": { _ in SweepRequest() },
            "getNumber": { _ in SweepRequest(parameters: ["numberId": numberID]) },
            "setNumberRoute": { _ in SweepRequest(parameters: ["numberId": numberID], json: ["type": "queue", "queueId": queueID]) },

            "listPrompts": { _ in SweepRequest() },
            "uploadPrompt": { _ in SweepRequest(parameters: ["promptName": "upload-\(f.next()).wav"], bytes: wav, contentType: "audio/wav") },
            "deletePrompt": { _ in
                let name = "doomed-\(f.next()).wav"
                _ = try await h.call(.put, "/v1/prompts/\(name)", token: admin, bytes: wav, contentType: "audio/wav")
                return SweepRequest(parameters: ["promptName": name])
            },

            "listIvrFlowVersions": { _ in SweepRequest(parameters: ["flowName": "main"]) },
            "createIvrFlowVersion": { _ in SweepRequest(parameters: ["flowName": "main"], json: flow) },
            "getIvrFlowVersion": { _ in SweepRequest(parameters: ["flowName": "main", "version": "1"]) },
            "simulateIvrFlowVersion": { _ in
                SweepRequest(parameters: ["flowName": "main", "version": "1"], json: ["startTime": "2026-11-25T10:00:00Z", "inputs": [["digits": "1"]]])
            },
            "simulateIvrFlow": { _ in SweepRequest(json: ["flow": flow, "script": ["startTime": "2026-11-25T10:00:00Z"]]) },
            "listIvrAliases": { _ in SweepRequest() },
            "getIvrAlias": { _ in SweepRequest(parameters: ["alias": "main"]) },
            "publishIvrAlias": { _ in SweepRequest(parameters: ["alias": "main"], json: ["flowName": "main", "version": 1]) },
            "rollbackIvrAlias": { _ in
                let alias = "rollback-\(f.next())"
                for version in 1...2 {
                    _ = try await h.call(.put, "/v1/ivr/aliases/\(alias)", token: admin, json: ["flowName": "main", "version": version])
                }
                return SweepRequest(parameters: ["alias": alias])
            },

            "listCdrs": { _ in SweepRequest() },

            "nodeHeartbeat": { _ in SweepRequest(json: ["load": ["activeCalls": 0]]) },
            "nodeGetConfig": { _ in SweepRequest() },
            "nodeRouteNumber": { _ in SweepRequest(query: "number=%2B861012345678") },
            "nodeGetPrompt": { _ in SweepRequest(parameters: ["tenantId": tenantID, "promptName": "chime.wav"]) },
            "nodeUploadCdrs": { _ in
                SweepRequest(json: ["cdrs": [NodeChannelTests.cdr(tenant: tenantID, started: cdrStart, queue: queueID)]])
            },
            "nodeUploadEvents": { _ in
                SweepRequest(json: ["events": [["tenantId": tenantID, "type": "queue.updated", "at": cdrStart, "data": ["queueId": queueID]]]])
            },
            "nodePollAgentCommands": { _ in SweepRequest(query: "waitSeconds=0") },
            "nodeReportAgentCommand": { _ in
                SweepRequest(parameters: ["commandId": try await freshCommandDeliveredToNode()], json: ["applied": true])
            },

            "platformListTenants": { _ in SweepRequest() },
            "platformSetTenantStatus": { _ in SweepRequest(parameters: ["tenantId": tenantID], json: ["status": "active"]) },
            "platformSetTenantLimits": { _ in
                SweepRequest(parameters: ["tenantId": tenantID], json: ["maxConcurrentCalls": 100, "maxRegistrations": 500])
            },
            "platformGetTenantPlacement": { _ in SweepRequest(parameters: ["tenantId": tenantID]) },
            "platformMoveTenant": { _ in SweepRequest(parameters: ["tenantId": tenantID], json: ["nodeId": node.id]) },
            "platformListNumbers": { _ in SweepRequest() },
            "platformAddNumber": { _ in SweepRequest(json: ["e164": "+86106660\(1000 + f.next())"]) },
            "platformGetNumber": { _ in SweepRequest(parameters: ["numberId": numberID]) },
            "platformAllocateNumber": { _ in
                SweepRequest(parameters: ["numberId": try await freshNumber(allocated: false)], json: ["tenantId": tenantID])
            },
            "platformReleaseNumber": { _ in SweepRequest(parameters: ["numberId": try await freshNumber(allocated: true)]) },
            "platformListNodes": { _ in SweepRequest() },
            "platformGetNode": { _ in SweepRequest(parameters: ["nodeId": node.id]) },
            "platformRemoveNode": { _ in SweepRequest(parameters: ["nodeId": try await freshNode()]) },
            "platformSetNodeAdminState": { _ in SweepRequest(parameters: ["nodeId": node.id], json: ["adminState": "active"]) },
            "platformListBootstrapTokens": { _ in SweepRequest() },
            "platformCreateBootstrapToken": { _ in SweepRequest(json: ["name": "rack-\(f.next())", "expiresInSeconds": 3600]) },
            "platformGetBootstrapToken": { _ in SweepRequest(parameters: ["tokenId": bootstrapID]) },
            "platformRevokeBootstrapToken": { _ in
                let token = try await h.call(.post, "/v1/platform/bootstrap-tokens", token: staff,
                                             json: ["name": "doomed-\(f.next())", "expiresInSeconds": 3600])
                return SweepRequest(parameters: ["tokenId": try require(token.string("token", "id"), "fresh bootstrap token")])
            },
        ]
        return f
    }
}
