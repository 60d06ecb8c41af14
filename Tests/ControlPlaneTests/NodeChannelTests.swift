import Foundation
import HummingbirdWSTesting
import Testing

@Suite("Node channel: placement, configuration snapshot, CDRs, events")
struct NodeChannelTests {
    static func registerNode(_ h: ControlPlaneHarness, name: String) async throws -> (id: String, credential: String) {
        let reply = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": ControlPlaneHarness.bootstrapToken, "name": name])
        return (try #require(reply["nodeId"] as? String), try #require(reply["credential"] as? String))
    }

    static func cdr(id: String = UUID().uuidString, tenant: String, caller: String = "+8613800000001", started: String,
                    disposition: String = "answered", queue: String? = nil, talkMs: Int = 61_250, ended: String? = nil) -> [String: Any] {
        // Ends 5 min 0.25 s after it starts unless `ended` says otherwise (an end before the start is refused).
        let withMilliseconds = Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)
        let start = (try? Date(started, strategy: withMilliseconds)) ?? (try? Date(started, strategy: .iso8601))
        let end = ended ?? start.map { $0.addingTimeInterval(300.25).formatted(withMilliseconds) } ?? started
        var cdr: [String: Any] = [
            "id": id, "tenantId": tenant, "direction": "inbound", "caller": caller, "callee": "+861012345678",
            "did": "+861012345678", "startedAt": started, "answeredAt": started, "endedAt": end,
            "disposition": disposition, "talkMs": talkMs, "waitMs": 12_340, "hangupBy": "caller",
            "ivrPath": ["menu", "to_sales"], "ivrInputs": ["menu": "1"], "mos": 4.3,
            "events": [["at": started, "type": "queued"], ["at": started, "type": "answered", "detail": "agent 1001"]],
        ]
        if let queue { cdr["queueId"] = queue }
        return cdr
    }

    @Test("a node gets the snapshot of the tenants homed on it, versioned; tenants move when their node goes down")
    func snapshotAndPlacement() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            _ = try await h.call(.post, "/v1/skills", token: key, json: ["name": "billing"])
            let agent = try await h.call(.post, "/v1/agents", token: key, json: ["name": "Li", "extension": "1001", "sipUsername": "li"])
            let agentID = try #require(agent.string("agent", "id"))
            let skillID = try #require(try await h.call(.get, "/v1/skills", token: key).items.first?["id"] as? String)
            _ = try await h.call(.put, "/v1/agents/\(agentID)/skills", token: key, json: [["skillId": skillID, "level": 6]])
            _ = try await h.call(.post, "/v1/queues", token: key, json: ["name": "sales", "config": ["strategy": "longest_idle"]])

            let node1 = try await Self.registerNode(h, name: "node-1")
            let first = try await h.call(.get, "/v1/node/config", token: node1.credential)
            #expect(first.status == 200)
            let version = try #require(first["version"] as? Int)
            let tenants = try #require(first["tenants"] as? [[String: Any]])
            #expect(tenants.count == 1)
            let snapshot = try #require(tenants.first)
            #expect(snapshot["tenantId"] as? String == tenantID)
            #expect(snapshot["sipDomain"] as? String == "acme.sip.localhost")
            let agents = try #require(snapshot["agents"] as? [[String: Any]])
            #expect(agents.first?["sipUsername"] as? String == "li")
            #expect((agents.first?["ha1Sha256"] as? String)?.count == 64)
            #expect(((agents.first?["skills"] as? [[String: Any]])?.first?["skill"]) as? String == "billing")
            #expect((snapshot["queues"] as? [[String: Any]])?.first?["name"] as? String == "sales")

            #expect(try await h.call(.get, "/v1/node/config?ifNewerThan=\(version)", token: node1.credential).status == 204)
            _ = try await h.call(.post, "/v1/skills", token: key, json: ["name": "vip"])
            let changed = try await h.call(.get, "/v1/node/config?ifNewerThan=\(version)", token: node1.credential)
            #expect(changed.status == 200)
            #expect((changed["version"] as? Int ?? 0) > version)
            #expect(try await h.call(.post, "/v1/node/heartbeat", token: node1.credential, json: [String: Any]())["configVersion"] as? Int != nil)

            // A second node gets nothing while node-1 is healthy; draining node-1 moves the tenant.
            let node2 = try await Self.registerNode(h, name: "node-2")
            #expect((try await h.call(.get, "/v1/node/config", token: node2.credential)["tenants"] as? [Any])?.isEmpty == true)
            let staff = try await h.staffToken()
            _ = try await h.call(.put, "/v1/platform/nodes/\(node1.id)/admin-state", token: staff, json: ["adminState": "draining"])
            let moved = try await h.call(.get, "/v1/node/config", token: node2.credential)
            #expect((moved["tenants"] as? [[String: Any]])?.first?["tenantId"] as? String == tenantID)
            #expect((try await h.call(.get, "/v1/node/config", token: node1.credential)["tenants"] as? [Any])?.isEmpty == true)
            // Tenant credentials cannot read node configuration.
            #expect(try await h.call(.get, "/v1/node/config", token: key).status == 403)
        }
    }

    @Test("CDR ingest is idempotent by id; different content under the same id is refused; queries filter and page")
    func cdrs() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let other = try await h.signup("other")
            let node = try await Self.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)  // homes both tenants: a node writes only for its own
            let queue = try #require(try await h.call(.post, "/v1/queues", token: key, json: ["name": "sales", "config": [String: Any]()])["id"] as? String)
            let a = Self.cdr(tenant: tenantID, started: "2026-11-25T10:00:00.125Z", queue: queue)
            let b = Self.cdr(tenant: tenantID, caller: "+8613800000002", started: "2026-11-25T11:00:00Z", disposition: "abandoned")
            let c = Self.cdr(tenant: tenantID, started: "2026-10-02T09:00:00Z")  // previous month's partition
            let foreign = Self.cdr(tenant: other.tenantID, started: "2026-11-25T12:00:00Z")
            let first = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [a, b, c, foreign]])
            #expect(first.status == 200)
            #expect((first["stored"] as? [String])?.count == 4)

            var changed = a
            changed["talkMs"] = 1
            let unknownTenant = Self.cdr(tenant: UUID().uuidString, started: "2026-11-25T10:00:00Z")
            let replay = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [a, b, changed, unknownTenant]])
            #expect(Set(replay["duplicates"] as? [String] ?? []) == Set([a["id"] as! String, b["id"] as! String]))
            #expect((replay["rejected"] as? [[String: Any]])?.count == 2)
            #expect((replay["stored"] as? [String])?.isEmpty == true)

            let all = try await h.call(.get, "/v1/cdrs", token: key)
            #expect(all.items.count == 3)
            #expect(all.items.map { $0["id"] as? String } == [b["id"], a["id"], c["id"]].map { $0 as? String })
            let stored = try #require(all.items.first { $0["id"] as? String == a["id"] as? String })
            #expect(stored["talkMs"] as? Int == 61_250)
            #expect(stored["nodeId"] as? String == node.id)
            #expect(stored["startedAt"] as? String == "2026-11-25T10:00:00.125Z")
            #expect((stored["events"] as? [Any])?.count == 2)

            #expect(try await h.call(.get, "/v1/cdrs?disposition=abandoned", token: key).items.count == 1)
            #expect(try await h.call(.get, "/v1/cdrs?number=%2B8613800000002", token: key).items.count == 1)
            #expect(try await h.call(.get, "/v1/cdrs?queueId=\(queue)", token: key).items.count == 1)
            #expect(try await h.call(.get, "/v1/cdrs?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", token: key).items.count == 2)
            let page1 = try await h.call(.get, "/v1/cdrs?limit=2", token: key)
            let cursor = try #require(page1["nextCursor"] as? String)
            let page2 = try await h.call(.get, "/v1/cdrs?limit=2&cursor=\(cursor)", token: key)
            #expect(page1.items.count == 2 && page2.items.count == 1)
            #expect(try await h.call(.get, "/v1/cdrs", token: other.apiKey).items.count == 1)
            #expect(try await h.call(.post, "/v1/node/cdrs", token: key, json: ["cdrs": [a]]).status == 403)
        }
    }

    @Test("staff set a tenant's limits; the node's snapshot carries them; out-of-range values are refused naming the field; tenants cannot set them")
    func tenantLimits() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let node = try await Self.registerNode(h, name: "node-1")
            let staff = try await h.staffToken()
            let before = try await h.call(.get, "/v1/node/config", token: node.credential)
            let defaults = (before["tenants"] as? [[String: Any]])?.first?["limits"] as? [String: Any]
            #expect(defaults?["maxConcurrentCalls"] as? Int == 100 && defaults?["maxRegistrations"] as? Int == 500)
            let set = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/limits", token: staff,
                                       json: ["maxConcurrentCalls": 3, "maxRegistrations": 7])
            #expect(set.status == 200)
            #expect((set["limits"] as? [String: Any])?["maxConcurrentCalls"] as? Int == 3)
            let after = try await h.call(.get, "/v1/node/config?ifNewerThan=\(before["version"] as? Int ?? 0)", token: node.credential)
            #expect(after.status == 200, "a limit change is a configuration change")
            let limits = (after["tenants"] as? [[String: Any]])?.first?["limits"] as? [String: Any]
            #expect(limits?["maxConcurrentCalls"] as? Int == 3 && limits?["maxRegistrations"] as? Int == 7)
            let tooMany = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/limits", token: staff,
                                           json: ["maxConcurrentCalls": 1_000_000, "maxRegistrations": 7])
            #expect(tooMany.status == 422 || tooMany.status == 400, "\(tooMany.status)")
            #expect(String(decoding: tooMany.body, as: UTF8.self).contains("maxConcurrentCalls"))
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantID)/limits", token: key,
                                     json: ["maxConcurrentCalls": 1000, "maxRegistrations": 1000]).status == 403)
        }
    }

    @Test("a CDR with a NUL byte is rejected alone, naming the field; the rest of its batch is stored (it used to fail the batch with 500)")
    func cdrWithNULIsRejectedAlone() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let node = try await Self.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)
            let good = Self.cdr(tenant: tenantID, started: "2026-11-25T10:00:00Z")
            let poisoned = Self.cdr(tenant: tenantID, caller: "\u{0}evil", started: "2026-11-25T10:01:00Z")
            var poisonedEvent = Self.cdr(tenant: tenantID, started: "2026-11-25T10:02:00Z")
            poisonedEvent["events"] = [["at": "2026-11-25T10:02:01Z", "type": "queued", "detail": "a\u{0}b"]]
            let result = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [good, poisoned, poisonedEvent]])
            #expect(result.status == 200)
            #expect(result["stored"] as? [String] == [good["id"] as! String])
            let rejected = try #require(result["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["id"] as? String } == [poisoned["id"] as? String, poisonedEvent["id"] as? String])
            #expect((rejected.first?["detail"] as? String)?.hasPrefix("caller contains a NUL") == true)
            #expect((rejected.last?["detail"] as? String)?.contains("events[0].detail") == true, "\(rejected)")
            #expect(try await h.call(.get, "/v1/cdrs", token: key).items.count == 1)
        }
    }

    @Test("events posted by a node reach the tenant's WebSocket stream and no other tenant's")
    func eventStream() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let other = try await h.signup("other")
            let node = try await Self.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)
            let unauthorized = try? await h.client.ws("/v1/events", configuration: .bearer("cck_nope")) { _, _, _ in }
            #expect(unauthorized == nil)

            try await h.client.ws("/v1/events", configuration: .bearer(key)) { inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let ready)? = try await frames.next() else { Issue.record("no ready frame"); return }
                #expect(ready.contains("stream.ready"))
                let posted = try await h.call(.post, "/v1/node/events", token: node.credential, json: ["events": [
                    ["tenantId": other.tenantID, "type": "call.offered", "at": "2026-11-25T10:00:00Z", "data": ["caller": "+8613900000000"]],
                    ["tenantId": tenantID, "type": "call.offered", "at": "2026-11-25T10:00:01Z",
                     "data": ["caller": "+8613800000001", "did": "+861012345678", "queue": "sales", "crmCustomerRef": "C-42"]],
                ]])
                #expect(posted.status == 202)
                guard case .text(let event)? = try await frames.next() else { Issue.record("no event frame"); return }
                #expect(event.contains("+8613800000001"))
                #expect(!event.contains("+8613900000000"))
                #expect(event.contains("call.offered"))
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
    }
}
