import ControlPlaneClient
import Foundation
import Synchronization
import Testing

@Suite("Agent state commands: API → home node (long-poll) → result")
struct AgentCommandTests {
    /// Tenant "acme" with one agent, homed on a registered node: (API key, agent id, node).
    static func tenantWithAgentOnNode(_ h: ControlPlaneHarness) async throws -> (key: String, agentID: String, node: (id: String, credential: String)) {
        let (_, key, _) = try await h.signup("acme")
        let agent = try await h.call(.post, "/v1/agents", token: key, json: ["name": "Li", "extension": "1001", "sipUsername": "li"])
        let agentID = try #require(agent.string("agent", "id"))
        let node = try await NodeChannelTests.registerNode(h, name: "node-1")
        _ = try await h.call(.get, "/v1/node/config", token: node.credential) // homes the tenant on it
        return (key, agentID, node)
    }

    @Test("a state change reaches the home node's long-poll at once, is delivered once, and its result is visible to the tenant only")
    func stateCommandRoundTrip() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let (_, otherKey, _) = try await h.signup("beta")
            let agent = try await h.call(.post, "/v1/agents", token: key, json: ["name": "Li", "extension": "1001", "sipUsername": "li"])
            let agentID = try #require(agent.string("agent", "id"))
            let otherAgent = try await h.call(.post, "/v1/agents", token: otherKey, json: ["name": "Wu", "extension": "1001", "sipUsername": "wu"])
            let otherAgentID = try #require(otherAgent.string("agent", "id"))
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential) // homes both tenants on node-1

            // Bad requests are refused with a problem that says what to fix; nothing is queued.
            let noReason = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "break"])
            #expect(noReason.status == 422)
            #expect(noReason.contentType == "application/problem+json")
            #expect((noReason["detail"] as? String)?.contains("reason") == true)
            let sleeping = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "sleeping"])
            #expect(sleeping.status == 400 || sleeping.status == 422, "\(sleeping.status) \(String(decoding: sleeping.body, as: UTF8.self))")
            #expect(try await h.call(.put, "/v1/agents/\(otherAgentID)/state", token: key, json: ["state": "available"]).status == 404)
            #expect(try await h.call(.put, "/v1/agents/\(agentID)/state", token: node.credential, json: ["state": "available"]).status == 403)
            #expect(try await h.call(.get, "/v1/node/agent-commands?waitSeconds=0", token: key).status == 403)
            #expect((try await h.call(.get, "/v1/node/agent-commands?waitSeconds=0", token: node.credential)["commands"] as? [Any])?.isEmpty == true)

            // Requested → pending; the node picks it up once.
            let ready = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "available"])
            #expect(ready.status == 202)
            #expect(ready["status"] as? String == "pending")
            let readyID = try #require(ready["id"] as? String)
            let firstPoll = try await h.call(.get, "/v1/node/agent-commands?waitSeconds=0", token: node.credential)
            let delivered = try #require(firstPoll["commands"] as? [[String: Any]])
            #expect(delivered.map { $0["id"] as? String } == [readyID])
            #expect(delivered.first?["status"] as? String == "delivered")
            #expect((try await h.call(.get, "/v1/node/agent-commands?waitSeconds=0", token: node.credential)["commands"] as? [Any])?.isEmpty == true)

            // A node waiting in a long-poll is woken by the next request, long before its wait runs out.
            let clock = ContinuousClock()
            let started = clock.now
            async let woken = h.callOnOwnConnection(.get, "/v1/node/agent-commands?waitSeconds=20", token: node.credential)
            let lunch = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "break", "reason": "lunch"])
            let wokenCommands = try #require(try await woken["commands"] as? [[String: Any]])
            #expect(clock.now - started < .seconds(20), "the long-poll waited out its time instead of being woken")
            #expect(wokenCommands.first?["id"] as? String == lunch["id"] as? String)
            #expect(wokenCommands.first?["reason"] as? String == "lunch")
            #expect(wokenCommands.first?["tenantId"] as? String != nil)

            // The node reports; the tenant sees the outcome, another tenant and another node cannot touch it.
            let other = try await NodeChannelTests.registerNode(h, name: "node-2")
            #expect(try await h.call(.post, "/v1/node/agent-commands/\(readyID)/result", token: other.credential, json: ["applied": true]).status == 404)
            #expect(try await h.call(.post, "/v1/node/agent-commands/\(readyID)/result", token: node.credential, json: ["applied": true]).status == 204)
            let lunchID = try #require(lunch["id"] as? String)
            #expect(try await h.call(.post, "/v1/node/agent-commands/\(lunchID)/result", token: node.credential,
                                     json: ["applied": false, "detail": "the agent's phone is not registered"]).status == 204)
            let applied = try await h.call(.get, "/v1/agent-commands/\(readyID)", token: key)
            #expect(applied["status"] as? String == "applied")
            #expect(applied["completedAt"] as? String != nil)
            let failed = try await h.call(.get, "/v1/agent-commands/\(lunchID)", token: key)
            #expect(failed["status"] as? String == "failed")
            #expect(failed["detail"] as? String == "the agent's phone is not registered")
            #expect(try await h.call(.get, "/v1/agent-commands/\(readyID)", token: otherKey).status == 404)
        }
    }

    @Test("the media node's poller (generated client, real HTTP) receives a command, applies it and its report lands")
    func nodePollerRoundTrip() async throws {
        try await ControlPlaneHarness.run { h in
            let (key, agentID, node) = try await Self.tenantWithAgentOnNode(h)
            let port = try #require(h.client.port)
            let client = ControlPlaneConnection(serverURL: URL(string: "http://127.0.0.1:\(port)")!, timeout: .seconds(40))
                .client(credential: node.credential)
            let applied = Mutex<[String]>([])
            let poller = AgentCommandPoller(waitSeconds: 20, clientProvider: { client }) { command in
                applied.withLock { $0.append("\(command.agentId) \(command.state.rawValue) \(command.reason ?? "-")") }
                return command.state == .loggedOut ? "the agent is on a call; log out after it ends" : nil
            }
            _ = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "break", "reason": "training"])
            let logout = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "logged_out"])
            try await poller.pollOnce()
            #expect(applied.withLock { $0 } == ["\(agentID) break training", "\(agentID) logged_out -"])
            let outcome = try await h.call(.get, "/v1/agent-commands/\(try #require(logout["id"] as? String))", token: key)
            #expect(outcome["status"] as? String == "failed")
            #expect(outcome["detail"] as? String == "the agent is on a call; log out after it ends")
        }
    }

    @Test("a command delivered but never reported (the node died in between) is handed out again after a minute")
    func unreportedCommandIsRedelivered() async throws {
        try await ControlPlaneHarness.run { h in
            let (key, agentID, node) = try await Self.tenantWithAgentOnNode(h)
            let command = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "logged_out"])
            let id = try #require(command["id"] as? String)
            let poll = "/v1/node/agent-commands?waitSeconds=0"
            #expect((try await h.call(.get, poll, token: node.credential)["commands"] as? [[String: Any]])?.count == 1)
            #expect((try await h.call(.get, poll, token: node.credential)["commands"] as? [Any])?.isEmpty == true)
            // The node restarts with the same identity; the delivery is now older than a minute.
            try await h.admin.query("UPDATE agent_commands SET delivered_at = now() - interval '61 seconds' WHERE id = \(UUID(uuidString: id)!)")
            let again = try #require(try await h.call(.get, poll, token: node.credential)["commands"] as? [[String: Any]])
            #expect(again.map { $0["id"] as? String } == [id])
        }
    }
}
