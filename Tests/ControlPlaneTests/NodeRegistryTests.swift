import Foundation
import Logging
import Testing
@testable import ControlPlaneHTTP
import ControlPlanePostgres
import ControlPlaneWorkers

@Suite("Node registry")
struct NodeRegistryTests {
    @Test("register with the bootstrap token, heartbeat, staff drain/cordon/resume/remove, liveness marks down")
    func lifecycle() async throws {
        try await ControlPlaneHarness.run { h in
            let wrong = try await h.call(.post, "/v1/node/register", json: ["bootstrapToken": "guess", "name": "node-1"])
            #expect(wrong.status == 401)
            let registered = try await h.call(.post, "/v1/node/register", json: [
                "bootstrapToken": ControlPlaneHarness.bootstrapToken, "name": "node-1", "sipAddress": "sip:127.0.0.1:5060", "version": "0.1"])
            #expect(registered.status == 201)
            let nodeID = try #require(registered["nodeId"] as? String)
            let credential = try #require(registered["credential"] as? String)
            #expect(credential.hasPrefix("ccn_"))
            #expect(registered["heartbeatIntervalSeconds"] as? Int == 5)

            let beat = try await h.call(.post, "/v1/node/heartbeat", token: credential, json: [
                "load": ["activeCalls": 12, "registeredPhones": 40, "cpuLoad": 0.35], "configVersion": 0])
            #expect(beat.status == 200)
            #expect(beat["adminState"] as? String == "active")

            let staff = try await h.staffToken()
            let node = try await h.call(.get, "/v1/platform/nodes/\(nodeID)", token: staff)
            #expect(node["status"] as? String == "active")
            #expect((node["load"] as? [String: Any])?["activeCalls"] as? Int == 12)

            let drained = try await h.call(.put, "/v1/platform/nodes/\(nodeID)/admin-state", token: staff, json: ["adminState": "draining"])
            #expect(drained["status"] as? String == "draining")
            #expect(try await h.call(.post, "/v1/node/heartbeat", token: credential, json: [String: Any]())["adminState"] as? String == "draining")
            _ = try await h.call(.put, "/v1/platform/nodes/\(nodeID)/admin-state", token: staff, json: ["adminState": "cordoned"])
            _ = try await h.call(.put, "/v1/platform/nodes/\(nodeID)/admin-state", token: staff, json: ["adminState": "active"])

            // Liveness: a sweep 31 s after the last heartbeat marks the node down; a heartbeat revives it.
            let monitor = NodeLivenessMonitor(database: Database(client: h.postgres, logger: Logger(label: "t")),
                                              downAfter: h.configuration.nodeDownAfter, interval: .seconds(5), logger: Logger(label: "t"))
            #expect(try await monitor.sweep(now: Date()).isEmpty)
            let marked = try await monitor.sweep(now: Date().addingTimeInterval(31))
            #expect(marked.map { $0.uuidString.lowercased() } == [nodeID])
            #expect(try await h.call(.get, "/v1/platform/nodes/\(nodeID)", token: staff)["status"] as? String == "down")
            _ = try await h.call(.post, "/v1/node/heartbeat", token: credential, json: [String: Any]())
            #expect(try await h.call(.get, "/v1/platform/nodes/\(nodeID)", token: staff)["status"] as? String == "active")

            #expect(try await h.call(.get, "/v1/platform/nodes", token: staff).items.count == 1)
            #expect(try await h.call(.delete, "/v1/platform/nodes/\(nodeID)", token: staff).status == 204)
            #expect(try await h.call(.post, "/v1/node/heartbeat", token: credential, json: [String: Any]()).status == 401)
        }
    }
}
