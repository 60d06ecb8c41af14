import ACD
import Foundation
import ServiceLifecycle

extension CallRuntime {
    /// Self-healing against lost events (issue 14): every `reconcileInterval`, and whenever a
    /// snapshot is applied, each tenant's ACD drops the calls this node no longer has, so no agent
    /// stays reserved or on a call that is gone. Ends at graceful shutdown, holding nothing up.
    func reconcileLoop() async {
        let interval = configuration.reconcileInterval
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil {
            reconcileACDs()
        }
    }

    /// Reconciles every tenant's ACD with the calls the node has and performs what it asks for.
    package func reconcileACDs(now: Date = Date()) {
        for tenant in engines.keys.sorted() {
            guard var engine = engines[tenant] else { continue }
            let actions = engine.reconcile(liveCalls: liveACDCalls(tenant: tenant), now: now)
            engines[tenant] = engine
            perform(actions, tenant: tenant)
        }
    }

    /// The calls of `tenant` the node still has, as the ACD names them.
    func liveACDCalls(tenant: String) -> Set<ACDCallID> {
        Set(calls.values.lazy.filter { $0.tenantID == tenant }.map { ACDCallID($0.id) })
    }

    /// Test hook: what a lost event leaves behind. The tenant's ACD takes a call `call` into
    /// `queue` that this node does not have — and, with `answered`, hears that the agent it
    /// offered it to answered — while every action it asks for is dropped (the offer never rings,
    /// nobody reports the end): an available agent stays reserved, or on a call, for nothing.
    /// Returns the agents the ACD offered the call to.
    package func enqueueCallLosingItsEvents(tenant: String, queue: String, call: String, answered: Bool = false) -> [String] {
        guard var engine = engines[tenant] else { return [] }
        let id = ACDCallID(call)
        let offered: [ACDAgentID] = engine.handle(.enqueue(id, queue: ACDQueueID(queue)), now: Date()).compactMap {
            if case .offer(_, let agent, _) = $0 { agent } else { nil }
        }
        if answered, let agent = offered.first { _ = engine.handle(.answered(id, agent: agent), now: Date()) }
        engines[tenant] = engine
        return offered.map(\.rawValue)
    }
}
