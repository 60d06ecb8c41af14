import CallCenterModel
import CallControl
import ControlPlaneClient
import Foundation
import NodeTestSupport
import Testing

/// The node's reading of queue members: who serves which queue, at which tier.
@Suite("Tenant directory: queue members")
struct TenantDirectoryTests {
    static let sales = "00000000-0000-4000-8000-0000000000a1", support = "00000000-0000-4000-8000-0000000000a2"
    static let li = "00000000-0000-4000-8000-0000000000b1", wang = "00000000-0000-4000-8000-0000000000b2"
    static let night = "00000000-0000-4000-8000-0000000000c1"

    static func directory() throws -> TenantDirectory {
        var json = FakeControlPlane.snapshot(version: 3)
        var tenants = json["tenants"] as! [[String: Any]]
        tenants[0]["queues"] = [
            ["id": sales, "name": "Sales", "config": [String: Any](),
             "members": [["agentId": li, "tier": 0], ["groupId": night, "tier": 2, "weight": 7], ["agentId": wang, "tier": 1]]],
            ["id": support, "name": "Support", "config": [String: Any]()],  // no members: everyone
        ]
        tenants[0]["agents"] = [
            ["id": li, "name": "Li", "extension": "1001", "sipUsername": "li", "ha1Md5": "0", "ha1Sha256": "0", "skills": [], "groupIds": []],
            ["id": wang, "name": "Wang", "extension": "1002", "sipUsername": "wang", "ha1Md5": "0", "ha1Sha256": "0", "skills": [],
             "groupIds": [night]],
            ["id": "00000000-0000-4000-8000-0000000000b3", "name": "Zhao", "extension": "1003", "sipUsername": "zhao",
             "ha1Md5": "0", "ha1Sha256": "0", "skills": [], "groupIds": []],
        ]
        json["tenants"] = tenants
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return TenantDirectory(snapshot: try decoder.decode(NodeSnapshot.self, from: JSONSerialization.data(withJSONObject: json)))
    }

    @Test("direct members, group members at the lowest tier named, and queues without members served by all")
    func memberships() throws {
        let tenant = try #require(try Self.directory().tenants.values.first)
        func of(_ user: String) -> [QueueMembership] { tenant.memberships(of: tenant.agent(sipUsername: user)!) }
        #expect(of("li") == [QueueMembership(queue: Self.sales), QueueMembership(queue: Self.support)])
        // Wang is named directly (tier 1) and through the night group (tier 2): tier 1 wins.
        #expect(of("wang") == [QueueMembership(queue: Self.sales, tier: 1, weight: 1), QueueMembership(queue: Self.support)])
        // Zhao is not a Sales member, but serves Support like everyone.
        #expect(of("zhao") == [QueueMembership(queue: Self.support)])
    }
}
