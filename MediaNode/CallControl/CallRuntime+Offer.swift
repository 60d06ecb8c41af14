import ACD
import Foundation
import MediaEngine
import SDP
import SIPMessage
import SIPUserAgent

extension CallRuntime {
    /// Performs what a tenant's ACD asked for.
    func perform(_ actions: [ACDAction], tenant: String) {
        let now = Date()
        for action in actions {
            logger.debug("ACD action", metadata: ["tenant": "\(tenant)", "action": "\(action)"])
            switch action {
            case .offer(let call, let agent, _):
                guard var s = calls[call.rawValue], s.phase == .queued else {
                    reject(call, agent: agent, tenant: tenant) // the caller left meanwhile
                    continue
                }
                if s.offeredAt == nil { s.offeredAt = now }
                s.offeredAgent = agent.rawValue
                s.withdrawnOffers.remove(agent.rawValue)
                s.record("offered", agent.rawValue, at: now)
                calls[call.rawValue] = s
                let queueName = directory.tenants[tenant]?.queues.first { $0.id == s.queueID }?.name
                // (The ACD has no position for a call it is offering: the screen pop carries the positions announced.)
                if let event = NodeEventFactory.offered(s, agent: agent.rawValue, queueName: queueName, now: now) {
                    publish(event)
                }
                spawn { await self.ringAgent(call: call.rawValue, agent: agent.rawValue) }
            case .cancelOffer(let call, let agent):
                // Ring timeout or the ACD moved on: stop the phone ringing (CANCEL).
                calls[call.rawValue]?.withdrawnOffers.insert(agent.rawValue)
                calls[call.rawValue]?.record("offer_withdrawn", agent.rawValue, at: now)
                calls[call.rawValue]?.ringing[agent.rawValue]?.cancel()
            case .overflow(let call, let target, let reason):
                spawn { await self.overflow(call.rawValue, target: target, reason: reason) }
            case .playMusicOnHold(let call, let prompt):
                // The node default starts at enqueue; a queue with its own music switches to it.
                if let prompt { spawn { await self.playQueueMusic(call.rawValue, prompt: prompt) } }
            case .announce(let call, let position, let wait):
                if let position { calls[call.rawValue]?.positionHistory.append((now, position)) }
                spawn { await self.announce(call.rawValue, position: position, estimatedWaitSeconds: wait) }
            case .agentStateChanged(let change):
                if let event = NodeEventFactory.agentState(change, tenant: tenant) { publish(event) }
            case .queueStatisticsChanged(let stats):
                if let event = NodeEventFactory.queue(stats, tenant: tenant, now: now) { publish(event) }
            case .dialBack(let call, let agent, _):
                reject(call, agent: agent, tenant: tenant) // callbacks are not served yet
            case .cancelDialBack, .callbackAbandoned:
                break
            }
        }
    }

    func reject(_ call: ACDCallID, agent: ACDAgentID, tenant: String) {
        guard var engine = engines[tenant] else { return }
        let actions = engine.handle(.rejected(call, agent: agent), now: Date())
        engines[tenant] = engine
        perform(actions, tenant: tenant)
    }

    /// INVITE to the agent's registered phone with the caller's number; bridge on answer.
    func ringAgent(call id: String, agent: String) async {
        guard let s = calls[id], let tenant = directory.tenants[s.tenantID],
              let entry = tenant.agents.first(where: { $0.id == agent }), let userAgent else { return }
        let leg: MediaLeg
        let offer: SessionDescription
        do {
            (leg, offer) = try await media.offer(colocatedWith: s.callerLeg)
        } catch {
            logger.error("no media for the agent leg", metadata: ["error": "\(error)", "call.id": "\(id)"])
            reject(ACDCallID(id), agent: ACDAgentID(agent), tenant: s.tenantID)
            return
        }
        let from = NameAddress(displayName: s.caller, uri: SIPURI(user: s.caller, host: tenant.sipDomain))
        let aor = "sip:\(entry.sipUsername)@\(tenant.sipDomain)"
        let agentCall: SIPCall
        let answerBody: SessionBody?
        let sdp = SessionBody(sdp: offer.serialized)
        let ring = Task { try await userAgent.inviteRegisteredWithAnswer(aor: aor, from: from, offer: sdp) }
        calls[id]?.ringing[agent] = ring
        let rung = await withTaskCancellationHandler { await ring.result } onCancel: { ring.cancel() }
        calls[id]?.ringing[agent] = nil
        do {
            (agentCall, answerBody) = try rung.get()
        } catch {
            await leg.close()
            guard let current = calls[id], !current.withdrawnOffers.contains(agent) else {
                // Cancelled because the caller left or the ACD withdrew the offer: nothing to report.
                calls[id]?.record("agent_cancelled", agent, at: Date())
                return
            }
            logger.info("agent phone did not answer", metadata: ["call.id": "\(id)", "agent": "\(agent)", "error": "\(error)"])
            calls[id]?.record("agent_failed", "\(agent): \(error)", at: Date())
            if calls[id]?.offeredAgent == agent { calls[id]?.offeredAgent = nil }
            reject(ACDCallID(id), agent: ACDAgentID(agent), tenant: s.tenantID)
            return
        }
        // The caller may have hung up, or the ACD withdrawn this offer, while the phone rang.
        guard var current = calls[id], current.phase == .queued, current.offeredAgent == agent,
              !current.withdrawnOffers.contains(agent) else {
            await agentCall.hangUp()
            await leg.close()
            return
        }
        calls[id]?.connecting = true // no announcement or music may start over the bridge
        do {
            guard let body = answerBody,
                  let answer = try? SessionDescription(parsing: String(decoding: body.bytes, as: UTF8.self)) else {
                throw SDPMissing()
            }
            try await leg.accept(answer: answer, signallingAddress: await agentCall.peerIPAddress())
            try? await current.callerLeg.stopPlayback()
            let bridge = try await media.bridge(current.callerLeg, leg)
            current = calls[id] ?? current
            let now = Date()
            current.phase = .connected
            current.answeredAt = now
            current.agentID = agent
            current.agentCall = agentCall
            current.agentLeg = leg
            current.bridge = bridge
            current.record("answered", agent, at: now)
            calls[id] = current
            agentCallForDialog[agentCall.id] = id
            if var engine = engines[current.tenantID] {
                let actions = engine.handle(.answered(ACDCallID(id), agent: ACDAgentID(agent)), now: now)
                engines[current.tenantID] = engine
                perform(actions, tenant: current.tenantID)
            }
            if let event = NodeEventFactory.answered(current, now: now) { publish(event) }
            await journal(id)
        } catch {
            logger.warning("agent answer unusable", metadata: ["error": "\(error)", "call.id": "\(id)"])
            calls[id]?.connecting = false
            await agentCall.hangUp()
            await leg.close()
            if let s = calls[id], s.phase == .queued { _ = await startPlayback(id, s.musicOnHold, loop: true) }
            reject(ACDCallID(id), agent: ACDAgentID(agent), tenant: current.tenantID)
        }
    }
}

struct SDPMissing: Error {}
