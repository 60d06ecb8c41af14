import Foundation
import HummingbirdWSTesting
import PostgresNIO
import Testing

/// Issue 13: a node credential writes only for the tenants that node homes (or homed within the
/// last 24 h); bootstrap tokens expire and rotate; a removed node stays removed.
@Suite("Node trust")
struct NodeTrustTests {
    /// acme homed on node-1, other on node-2 (moved there by staff, so it left node-1 just now).
    static func twoHomes(_ h: ControlPlaneHarness) async throws
        -> (acme: (tenantID: String, apiKey: String), other: (tenantID: String, apiKey: String),
            node1: (id: String, credential: String), node2: (id: String, credential: String)) {
        let acme = try await h.signup("acme")
        let other = try await h.signup("other")
        let node1 = try await NodeChannelTests.registerNode(h, name: "node-1")
        _ = try await h.call(.get, "/v1/node/config", token: node1.credential)  // homes both on node-1
        let node2 = try await NodeChannelTests.registerNode(h, name: "node-2")
        let staff = try await h.staffToken()
        let moved = try await h.call(.put, "/v1/platform/tenants/\(other.tenantID)/placement", token: staff, json: ["nodeId": node2.id])
        guard moved.status == 200 else { throw HarnessError("move failed: \(moved.status)") }
        return ((acme.tenantID, acme.apiKey), (other.tenantID, other.apiKey), node1, node2)
    }

    @Test("CDRs for a tenant the node does not home are rejected one by one with the reason; a former home keeps 24 h for late CDRs")
    func cdrsOnlyForHomedTenants() async throws {
        try await ControlPlaneHarness.run { h in
            let (acme, other, node1, node2) = try await Self.twoHomes(h)
            // Attack: node-2 writes a CDR into acme's history (acme is homed on node-1).
            let forged = NodeChannelTests.cdr(tenant: acme.tenantID, caller: "+8613999999999", started: "2026-11-25T10:00:00Z")
            let own = NodeChannelTests.cdr(tenant: other.tenantID, started: "2026-11-25T10:01:00Z")
            let reply = try await h.call(.post, "/v1/node/cdrs", token: node2.credential, json: ["cdrs": [forged, own]])
            #expect(reply.status == 200)
            #expect(reply["stored"] as? [String] == [try #require(own["id"] as? String)])
            let rejected = try #require(reply["rejected"] as? [[String: Any]])
            #expect(rejected.map { $0["id"] as? String } == [forged["id"] as? String])
            #expect((rejected.first?["detail"] as? String)?.contains("not homed on this node") == true, "\(rejected)")
            #expect(try await h.call(.get, "/v1/cdrs", token: acme.apiKey).items.isEmpty)

            // node-1 homed `other` until a moment ago: its late CDR is accepted...
            let late = NodeChannelTests.cdr(tenant: other.tenantID, started: "2026-11-25T09:59:00Z")
            let lateID = try #require(late["id"] as? String)
            #expect(try await h.call(.post, "/v1/node/cdrs", token: node1.credential, json: ["cdrs": [late]])["stored"] as? [String] == [lateID])
            // ...for 24 hours; after that it is refused like any other tenant's.
            let otherID = try #require(UUID(uuidString: other.tenantID))
            try await h.admin.query("UPDATE tenant_placement_history SET left_at = now() - interval '25 hours' WHERE tenant_id = \(otherID)")
            let tooLate = NodeChannelTests.cdr(tenant: other.tenantID, started: "2026-11-25T09:58:00Z")
            let refused = try await h.call(.post, "/v1/node/cdrs", token: node1.credential, json: ["cdrs": [tooLate]])
            #expect((refused["rejected"] as? [[String: Any]])?.count == 1)
            #expect(try await h.call(.get, "/v1/cdrs", token: other.apiKey).items.count == 2)

            // A node that never homed anyone writes nothing.
            let stranger = try await NodeChannelTests.registerNode(h, name: "node-3")
            let strangerReply = try await h.call(.post, "/v1/node/cdrs", token: stranger.credential, json: [
                "cdrs": [NodeChannelTests.cdr(tenant: acme.tenantID, started: "2026-11-25T10:02:00Z")]])
            #expect((strangerReply["stored"] as? [String])?.isEmpty == true)
        }
    }

    @Test("events for a tenant the node does not home never reach that tenant's stream")
    func eventsOnlyForHomedTenants() async throws {
        try await ControlPlaneHarness.run { h in
            let (acme, _, node1, node2) = try await Self.twoHomes(h)
            try await h.client.ws("/v1/events", configuration: .bearer(acme.apiKey)) { inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let ready)? = try await frames.next() else { Issue.record("no ready frame"); return }
                #expect(ready.contains("stream.ready"))
                // Attack: node-2 pushes a fake screen pop to acme's agents.
                let forged = try await h.call(.post, "/v1/node/events", token: node2.credential, json: ["events": [
                    ["tenantId": acme.tenantID, "type": "call.offered", "at": "2026-11-25T10:00:00Z", "data": ["caller": "+8613999999999"]]]])
                #expect(forged.status == 202)
                // The home node's event is the first (and only) one acme sees.
                _ = try await h.call(.post, "/v1/node/events", token: node1.credential, json: ["events": [
                    ["tenantId": acme.tenantID, "type": "call.offered", "at": "2026-11-25T10:00:01Z", "data": ["caller": "+8613800000001"]]]])
                guard case .text(let event)? = try await frames.next() else { Issue.record("no event frame"); return }
                #expect(event.contains("+8613800000001"))
                #expect(!event.contains("+8613999999999"))
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
    }

    @Test("bootstrap tokens: staff make expiring ones; the configured token stops working once they exist; expired and revoked ones are refused")
    func bootstrapTokens() async throws {
        try await ControlPlaneHarness.run { h in
            let staff = try await h.staffToken()
            // The configured token (CC_NODE_BOOTSTRAP_TOKEN) registers the first nodes.
            _ = try await NodeChannelTests.registerNode(h, name: "first")

            let created = try await h.call(.post, "/v1/platform/bootstrap-tokens", token: staff, json: ["name": "rack-7", "expiresInSeconds": 3600])
            #expect(created.status == 201)
            let secret = try #require(created["secret"] as? String)
            #expect(secret.hasPrefix("ccb_"))
            let tokenID = try #require(created.string("token", "id"))
            let expires = try #require(created.string("token", "expiresAt"))
            #expect(expires > created.string("token", "createdAt") ?? "")
            let listed = try await h.call(.get, "/v1/platform/bootstrap-tokens", token: staff)
            #expect(listed.items.count == 1 && listed.items.first?["secret"] == nil)
            #expect(!String(decoding: listed.body, as: UTF8.self).contains(String(secret.suffix(40))))

            // Rotation: the configured token is refused now, naming why.
            let old = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": ControlPlaneHarness.bootstrapToken, "name": "late"])
            #expect(old.status == 401)
            #expect((old["detail"] as? String)?.contains("CC_NODE_BOOTSTRAP_TOKEN") == true)
            let registered = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": secret, "name": "rack-7-a"])
            #expect(registered.status == 201)
            // A bootstrap token is not a bearer credential.
            #expect(try await h.call(.get, "/v1/me", token: secret).status == 401)

            // Expired.
            try await h.admin.query("UPDATE node_bootstrap_tokens SET expires_at = now() - interval '1 second'")
            let expired = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": secret, "name": "rack-7-b"])
            #expect(expired.status == 401)
            #expect((expired["detail"] as? String)?.contains("expired") == true)

            // Revoked.
            let second = try await h.call(.post, "/v1/platform/bootstrap-tokens", token: staff, json: ["name": "rack-8"])
            let secondSecret = try #require(second["secret"] as? String)
            let secondID = try #require(second.string("token", "id"))
            #expect(try await h.call(.delete, "/v1/platform/bootstrap-tokens/\(secondID)", token: staff).status == 204)
            let revoked = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": secondSecret, "name": "rack-8-a"])
            #expect(revoked.status == 401)
            #expect((revoked["detail"] as? String)?.contains("revoked") == true)
            #expect(try await h.call(.delete, "/v1/platform/bootstrap-tokens/\(UUID().uuidString)", token: staff).status == 404)

            // Lifetime limits and the stored form.
            #expect(try await h.call(.post, "/v1/platform/bootstrap-tokens", token: staff, json: ["name": "x", "expiresInSeconds": 5]).status == 422)
            let rows = try await h.admin.query("SELECT count(*)::int8 FROM node_bootstrap_tokens WHERE id = \(try #require(UUID(uuidString: tokenID))) AND length(token_hash) = 32")
            for try await count in rows.decode(Int64.self) { #expect(count == 1) }
        }
    }

    @Test("a removed node stays removed: registering again under its name is refused and it gets no tenants")
    func removedNodeStaysRemoved() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, _, _) = try await h.signup("acme")
            let staff = try await h.staffToken()
            let node = try await NodeChannelTests.registerNode(h, name: "node-x")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)
            #expect(try await h.call(.delete, "/v1/platform/nodes/\(node.id)", token: staff).status == 204)

            let again = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": ControlPlaneHarness.bootstrapToken, "name": "node-x"])
            #expect(again.status == 403)
            #expect((again["detail"] as? String)?.contains("removed") == true)
            #expect(try await h.call(.post, "/v1/node/heartbeat", token: node.credential, json: [String: Any]()).status == 401)
            #expect(try await h.call(.get, "/v1/platform/nodes", token: staff).items.isEmpty)
            // The tenant waits for a healthy node instead of returning to the removed one.
            let replacement = try await NodeChannelTests.registerNode(h, name: "node-y")
            #expect(((try await h.call(.get, "/v1/node/config", token: replacement.credential))["tenants"] as? [[String: Any]])?
                .first?["tenantId"] as? String == tenantID)
        }
    }
}
