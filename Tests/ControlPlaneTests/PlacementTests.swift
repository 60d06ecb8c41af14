import Foundation
import Testing

/// Staff moves a tenant between media nodes; a node asks where a number it does not serve lives.
@Suite("Placement: staff moves, number routes for redirects")
struct PlacementTests {
    @Test("staff see and move a tenant's home; unhealthy targets are refused with the reason; nodes resolve numbers to home nodes")
    func moveAndRoute() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let staff = try await h.staffToken()
            let did = "+861012345678"
            let number = try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": did])
            let numberID = try #require(number["id"] as? String)
            _ = try await h.call(.put, "/v1/platform/numbers/\(numberID)/allocation", token: staff, json: ["tenantId": tenantID])
            let nodeA = try await NodeChannelTests.registerNode(h, name: "node-a")
            let nodeB = try await NodeChannelTests.registerNode(h, name: "node-b")
            // Node A's first config fetch homes the tenant there.
            #expect((try await h.call(.get, "/v1/node/config", token: nodeA.credential)["tenants"] as? [Any])?.count == 1)

            let placement = try await h.call(.get, "/v1/platform/tenants/\(tenantID)/placement", token: staff)
            #expect(placement.status == 200)
            #expect(placement["nodeId"] as? String == nodeA.id)
            #expect(placement["nodeName"] as? String == "node-a")
            // Tenants cannot see or change placement.
            #expect(try await h.call(.get, "/v1/platform/tenants/\(tenantID)/placement", token: key).status == 403)
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: key, json: ["nodeId": nodeB.id]).status == 403)

            // Node B resolves the number to node A (it would redirect the call there); unknown numbers are 404.
            let route = try await h.call(.get, "/v1/node/route?number=861012345678", token: nodeB.credential)
            #expect(route.status == 200)
            #expect(route["nodeId"] as? String == nodeA.id)
            #expect(route["tenantId"] as? String == tenantID)
            #expect(route["e164"] as? String == did)
            let unknown = try await h.call(.get, "/v1/node/route?number=%2B861099999999", token: nodeB.credential)
            #expect(unknown.status == 404)
            #expect(unknown.contentType?.hasPrefix("application/problem+json") == true)
            #expect(try await h.call(.get, "/v1/node/route?number=861012345678", token: key).status == 403)

            // A draining node cannot take the tenant; the reason says why.
            _ = try await h.call(.put, "/v1/platform/nodes/\(nodeB.id)/admin-state", token: staff, json: ["adminState": "draining"])
            let refused = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": nodeB.id])
            #expect(refused.status == 409)
            #expect((refused["detail"] as? String)?.contains("draining") == true)
            _ = try await h.call(.put, "/v1/platform/nodes/\(nodeB.id)/admin-state", token: staff, json: ["adminState": "active"])
            #expect(try await h.call(.put, "/v1/platform/tenants/\(UUID().uuidString)/placement", token: staff, json: ["nodeId": nodeB.id]).status == 404)
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": UUID().uuidString]).status == 404)
            #expect(try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": "not-a-uuid"]).status == 400)

            // The move: node B's snapshot now has the tenant, node A's does not; routes follow.
            let before = try #require(try await h.call(.get, "/v1/node/config", token: nodeB.credential)["version"] as? Int)
            let moved = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": nodeB.id])
            #expect(moved.status == 200)
            #expect(moved["nodeId"] as? String == nodeB.id)
            let configB = try await h.call(.get, "/v1/node/config?ifNewerThan=\(before)", token: nodeB.credential)
            #expect(configB.status == 200, "the move bumps the configuration version")
            #expect((configB["tenants"] as? [[String: Any]])?.first?["tenantId"] as? String == tenantID)
            #expect((try await h.call(.get, "/v1/node/config", token: nodeA.credential)["tenants"] as? [Any])?.isEmpty == true)
            #expect(try await h.call(.get, "/v1/node/route?number=861012345678", token: nodeA.credential)["nodeId"] as? String == nodeB.id)
            // Moving it where it already is changes nothing.
            let again = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": nodeB.id])
            #expect(again["placedAt"] as? String == moved["placedAt"] as? String)
        }
    }
}
