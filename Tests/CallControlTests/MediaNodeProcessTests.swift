import CallControl
import Foundation
import NodeTestSupport
import Testing

/// The `media-node` executable against an HTTP server speaking the node channel: it registers,
/// heartbeats and pulls the snapshot; SIGTERM drains and exits 0; a restart reuses the identity.
@Suite("media-node process")
struct MediaNodeProcessTests {
    static func launch(url: URL, dir: String, token: String?) throws -> LineProcess {
        try launchMediaNode(controlPlaneURL: url.absoluteString, bootstrapToken: token, sipPort: freeUDPPort(), rtpPorts: "31000-31099",
                            dataDirectory: dir, name: "process-test", drainSeconds: 5)
    }

    @Test("registers, heartbeats, pulls the snapshot; SIGTERM drains and exits 0; restart reuses the identity")
    func lifecycle() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let node = try Self.launch(url: url, dir: dir.path, token: FakeControlPlane.bootstrapToken)
            defer { node.terminate() }
            _ = try await node.waitForLineContaining("configuration applied", timeout: .seconds(20))
            _ = try await node.waitForLineContaining("admin state", timeout: .seconds(20))
            #expect(cp.state.withLock { $0.registrations } == 1)
            #expect(FileManager.default.fileExists(atPath: dir.path + "/node-identity.json"))
            #expect(FileManager.default.fileExists(atPath: dir.path + "/config-snapshot.json"))
            node.signal(SIGTERM)
            _ = try await node.waitForLineContaining("drained", timeout: .seconds(20))
            #expect(node.waitForExit() == 0)

            // Restart without the bootstrap token: serves the saved snapshot at once and heartbeats with the saved credential.
            let heartbeatsBefore = cp.state.withLock { $0.heartbeats.count }
            let again = try Self.launch(url: url, dir: dir.path, token: nil)
            defer { again.terminate() }
            _ = try await again.waitForLineContaining("serving the persisted configuration snapshot", timeout: .seconds(20))
            _ = try await again.waitForLineContaining("admin state", timeout: .seconds(20))
            #expect(cp.state.withLock { $0.heartbeats.count } > heartbeatsBefore)
            #expect(cp.state.withLock { $0.registrations } == 1)

            // Staff set the node to draining: the next heartbeat reply makes it drain and exit.
            cp.state.withLock { $0.adminState = "draining" }
            _ = try await again.waitForLineContaining("drained", timeout: .seconds(20))
            #expect(again.waitForExit() == 0)
        }
    }
}
