import CallControl
import ControlPlaneAPI
import Foundation
import Logging
import MediaEngine
import NodeTestSupport
import SDP
import Synchronization
import Testing

/// The node reconciles each tenant's ACD with the calls it has (issue 14): an agent the ACD keeps
/// reserved for a call the node no longer has (a lost event) is freed when a snapshot is applied
/// and by the periodic reconciliation, without anyone calling in.
@Suite("ACD reconciliation on the node", .serialized, .tags(.system))
struct ACDReconcileRuntimeTests {
    static let tenant = "00000000-0000-4000-8000-000000000001"
    static let queue = "00000000-0000-4000-8000-0000000000a1"
    static let agent = "00000000-0000-4000-8000-0000000000b1"

    /// A runtime on the call-path snapshot with the agent's PJSIP phone registered (agent available);
    /// `body` gets the runtime and the agent states published from the moment `arm` is called.
    static func withAvailableAgent(reconcileInterval: Duration,
                                   _ body: @Sendable (_ runtime: CallRuntime, _ arm: @Sendable () -> Void,
                                                      _ states: AsyncStream<String>) async throws -> Void) async throws {
        let work = try TemporaryDirectory()
        let (states, statesContinuation) = AsyncStream.makeStream(of: String.self)
        let armed = Mutex(false)
        var configuration = CallRuntime.Configuration()
        configuration.reconcileInterval = reconcileInterval
        var logger = Logger(label: "reconcile-test")
        logger.logLevel = .warning
        let runtime = CallRuntime(
            configuration: configuration,
            media: MediaEngine(configuration: MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1"))),
            spool: try CdrSpool(root: work.path + "/spool"),
            prompts: PromptRenderer(configuration: .init(cacheDirectory: work.path + "/tts", promptDirectory: work.path + "/prompts")),
            publish: { event in
                guard armed.withLock({ $0 }), event._type == .agent_stateChanged,
                      let to = event.data.additionalProperties.value["to"] as? String else { return }
                statesContinuation.yield(to)
            }, logger: logger)
        await runtime.apply(snapshot: try CallPathTests.snapshot(password: "agent-secret"))
        let (ua, service) = CallPathTests.callService(runtime, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            let port = try await ua.boundTransport().udpAddress.port ?? 0
            let phone = try LineProcess("python3", [
                CallPathTests.repositoryRoot.appendingPathComponent("infra/pjsip/pjsua_peer.py").path,
                "--registrar", "sip:127.0.0.1:\(port)", "--user", "lina", "--password", "agent-secret",
                "--domain", CallPathTests.domain, "--answer", "--timeout", "60",
            ])
            defer { phone.terminate() }
            _ = try await phone.waitForLine("READY", timeout: .seconds(20))
            await runtime.refreshPresence()
            #expect(await runtime.agentsAvailable == 1)
            try await body(runtime, { armed.withLock { $0 = true } }, states)
            group.cancelAll()
        }
    }

    @Test("an agent reserved for a call the node does not have is available again once a snapshot is applied")
    func snapshotReconciles() async throws {
        // The timer would not fire during the test: only the snapshot can free the agent.
        try await Self.withAvailableAgent(reconcileInterval: .seconds(3600)) { runtime, _, _ in
            // A call the node never had reserves the agent; nothing will ever report on it.
            #expect(await runtime.enqueueCallLosingItsEvents(tenant: Self.tenant, queue: Self.queue, call: "lost") == [Self.agent])
            #expect(await runtime.agentsAvailable == 0)
            await runtime.apply(snapshot: try CallPathTests.snapshot(password: "agent-secret"))
            #expect(await runtime.agentsAvailable == 1)
        }
    }

    @Test("an agent on a call the node does not have is available again after the reconcile interval, with nothing else happening")
    func timerReconciles() async throws {
        try await Self.withAvailableAgent(reconcileInterval: .milliseconds(300)) { runtime, arm, states in
            // The call reached the agent and its end was lost: no ring timeout will ever free this agent.
            #expect(await runtime.enqueueCallLosingItsEvents(tenant: Self.tenant, queue: Self.queue, call: "lost",
                                                             answered: true) == [Self.agent])
            arm()
            #expect(await runtime.agentsAvailable == 0)
            // The reconciliation ends the call in the ACD: wrap-up (0 s in this queue), then available.
            let freed = await Self.first(of: states, within: .seconds(10)) { $0 == "available" }
            #expect(freed == "available", "the agent was not freed within 10 s")
            #expect(await runtime.agentsAvailable == 1)
        }
    }

    /// The first element of `stream` matching `predicate`, or nil when none comes within `limit`
    /// (a bound on a failing test, not a wait that orders events).
    static func first(of stream: AsyncStream<String>, within limit: Duration,
                      where predicate: @escaping @Sendable (String) -> Bool) async -> String? {
        await withTaskGroup(of: String?.self) { group in
            group.addTask {
                for await element in stream where predicate(element) { return element }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let result = await group.next() ?? nil
            group.cancelAll()
            return result
        }
    }
}
