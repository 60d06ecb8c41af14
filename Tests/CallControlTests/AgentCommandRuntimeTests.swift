import CallControl
import ControlPlaneAPI
import Foundation
import Logging
import MediaEngine
import SDP
import NodeTestSupport
import SIPUserAgent
import Synchronization
import Testing

/// Agent state commands from the control plane, applied by the node's runtime to its ACD:
/// the resulting transitions are the `agent.state_changed` events wallboards see.
@Suite("Agent state commands on the node")
struct AgentCommandRuntimeTests {
    @Test("break, available and logout reach the ACD; available needs a registered phone; unknown agents and tenants are refused with a reason")
    func commandsDriveTheACD() async throws {
        let work = try TemporaryDirectory()
        let spool = try CdrSpool(root: work.path + "/spool")
        let changes = Mutex<[(from: String, to: String)]>([])
        let media = MediaEngine(configuration: MediaEngineConfiguration(profile: LocalMediaProfile(address: "127.0.0.1")))
        var logger = Logger(label: "agent-command-test")
        logger.logLevel = .warning
        let runtime = CallRuntime(media: media, spool: spool, cdrSpooled: {}, publish: { event in
            guard event._type == .agent_stateChanged else { return }
            let data = event.data.additionalProperties.value
            changes.withLock { $0.append((from: data["from"] as? String ?? "?", to: data["to"] as? String ?? "?")) }
        }, logger: logger)
        await runtime.apply(snapshot: try CallPathTests.snapshot(password: "agent-secret"))
        let (ua, service) = CallPathTests.callService(runtime, logger: logger)
        let tenant = "00000000-0000-4000-8000-000000000001"
        let agent = "00000000-0000-4000-8000-0000000000b1"

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            _ = try await ua.boundTransport()

            // No phone registered: "available" would offer calls to nobody.
            let refused = await runtime.applyAgentCommand(tenant: tenant, agent: agent, state: .available)
            #expect(refused?.contains("not registered") == true)
            #expect(changes.withLock { $0.isEmpty })

            // A break logs the agent in and puts them on break; logout ends it.
            #expect(await runtime.applyAgentCommand(tenant: tenant, agent: agent, state: .onBreak(reason: "lunch")) == nil)
            #expect(await runtime.applyAgentCommand(tenant: tenant, agent: agent, state: .loggedOut) == nil)
            let seen = changes.withLock { $0.map { "\($0.from)→\($0.to)" } }
            #expect(seen.last == "on_break→logged_out", "\(seen)")
            #expect(seen.contains { $0.hasSuffix("→on_break") }, "\(seen)")

            #expect(await runtime.applyAgentCommand(tenant: tenant, agent: "00000000-0000-4000-8000-0000000000ff",
                                                    state: .onBreak(reason: "x"))?.contains("does not know the agent") == true)
            #expect(await runtime.applyAgentCommand(tenant: "00000000-0000-4000-8000-0000000000fe", agent: agent,
                                                    state: .onBreak(reason: "x"))?.contains("does not home the tenant") == true)
            group.cancelAll()
        }
    }
}
