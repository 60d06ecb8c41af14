import ControlPlaneClient
import Foundation
import Logging
import ServiceLifecycle
import NodeTestSupport
import Testing

@Suite("NodeChannel against an HTTP server speaking the node channel")
struct NodeChannelTests {
    /// Runs `channel` until `until` returns true for a hook event, then cancels it.
    static func run(_ channel: NodeChannel, events: AsyncStream<String>, until done: @escaping @Sendable ([String]) -> Bool) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String]?.self) { group in
            group.addTask {
                try await channel.run()
                return nil
            }
            group.addTask {
                var seen: [String] = []
                for await e in events {
                    seen.append(e)
                    if done(seen) { return seen }
                }
                return seen
            }
            var result: [String] = []
            while let next = try await group.next() {
                if let seen = next {
                    result = seen
                    group.cancelAll()
                }
            }
            return result
        }
    }

    static func hooks(_ c: AsyncStream<String>.Continuation) -> NodeChannel.Hooks {
        NodeChannel.Hooks(load: { NodeChannel.Load(activeCalls: 3, registeredPhones: 2) },
                          snapshot: { c.yield("snapshot \($0.version) \($0.tenants.first?.slug ?? "-")") },
                          adminState: { c.yield("admin \($0.rawValue)") })
    }

    static func channel(url: URL, dir: String, token: String?, hooks: NodeChannel.Hooks) throws -> NodeChannel {
        NodeChannel(configuration: .init(nodeName: "test-node", bootstrapToken: token,
                                         backoff: RetryBackoff(base: .milliseconds(20), maximum: .milliseconds(100), minimum: .milliseconds(5))),
                    connection: ControlPlaneConnection(serverURL: url), directory: try NodeStateDirectory(path: dir), hooks: hooks)
    }

    @Test("registers once with the bootstrap token, persists identity and snapshot, reuses them on restart")
    func registerPersistRestart() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let (events, c) = AsyncStream.makeStream(of: String.self)
            let first = try Self.channel(url: url, dir: dir.path, token: FakeControlPlane.bootstrapToken, hooks: Self.hooks(c))
            let seen = try await Self.run(first, events: events) { $0.contains("snapshot 1 acme") && $0.contains("admin active") }
            #expect(seen.contains("snapshot 1 acme"))
            #expect(await first.heartbeatsAcknowledged >= 1)
            #expect(await first.identity?.credential == FakeControlPlane.credential)
            let heartbeat = cp.state.withLock { $0.heartbeats.first } ?? ""
            let load = (try JSONSerialization.jsonObject(with: Data(heartbeat.utf8)) as? [String: Any])?["load"] as? [String: Any]
            #expect(load?["activeCalls"] as? Int == 3)
            #expect(load?["registeredPhones"] as? Int == 2)

            // Restart without a bootstrap token: the saved identity is used; a newer snapshot is fetched with ifNewerThan.
            cp.state.withLock { $0.snapshotVersion = 2; $0.adminState = "draining" }
            let (events2, c2) = AsyncStream.makeStream(of: String.self)
            let second = try Self.channel(url: url, dir: dir.path, token: nil, hooks: Self.hooks(c2))
            let seen2 = try await Self.run(second, events: events2) { $0.contains("snapshot 2 acme") && $0.contains("admin draining") }
            #expect(seen2.first == "snapshot 1 acme", "the persisted snapshot is served first")
            #expect(seen2.contains("admin draining"))
            #expect(cp.state.withLock { $0.registrations } == 1)
            #expect(cp.state.withLock { $0.configRequests }.contains("1"))
        }
    }

    @Test("serves the persisted snapshot while the control plane is unreachable")
    func unreachableControlPlane() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        let url = try await cp.serve { url in
            let (events, c) = AsyncStream.makeStream(of: String.self)
            let channel = try Self.channel(url: url, dir: dir.path, token: FakeControlPlane.bootstrapToken, hooks: Self.hooks(c))
            _ = try await Self.run(channel, events: events) { $0.contains("snapshot 1 acme") }
            return url
        }
        // The server is gone (its port is closed): the channel still hands over the saved snapshot and keeps retrying.
        let (events, c) = AsyncStream.makeStream(of: String.self)
        let channel = try Self.channel(url: url, dir: dir.path, token: FakeControlPlane.bootstrapToken, hooks: Self.hooks(c))
        let seen = try await Self.run(channel, events: events) { $0.contains("snapshot 1 acme") }
        #expect(seen == ["snapshot 1 acme"])
        #expect(await channel.heartbeatsAcknowledged == 0)
    }

    @Test("a wrong bootstrap token is refused and nothing is persisted")
    func wrongToken() async throws {
        let dir = try TemporaryDirectory()
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let channel = try Self.channel(url: url, dir: dir.path, token: "wrong", hooks: .init())
            let client = ControlPlaneConnection(serverURL: url).anonymousClient()
            let output = try await client.nodeRegister(body: .json(.init(bootstrapToken: "wrong", name: "x")))
            // A declared problem (openapi.yaml lists 401 for nodeRegister): the client gets it typed.
            guard case .unauthorized(let problem) = output else {
                Issue.record("expected a 401 problem, got \(output)")
                return
            }
            #expect(problem.problem?.status == 401)
            #expect(await channel.identity == nil)
            #expect(try NodeStateDirectory(path: dir.path).loadIdentity() == nil)
        }
    }
}

