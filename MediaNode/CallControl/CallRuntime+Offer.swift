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
                let offerActions = s.offers.handle(.offered(agent: agent.rawValue))
                if offerActions.contains(where: { if case .ring = $0 { true } else { false } }) {
                    if s.offeredAt == nil { s.offeredAt = now }
                    s.record("offered", agent.rawValue, at: now)
                    let queueName = directory.tenants[tenant]?.queues.first { $0.id == s.queueID }?.name
                    // (The ACD has no position for a call it is offering: the screen pop carries the positions announced.)
                    if let event = NodeEventFactory.offered(s, agent: agent.rawValue, queueName: queueName, now: now) {
                        publish(event)
                    }
                }
                calls[call.rawValue] = s
                performOffers(offerActions, call: call.rawValue, tenant: tenant)
            case .cancelOffer(let call, let agent):
                // Ring timeout or the ACD moved on: stop the phone ringing (CANCEL).
                guard var s = calls[call.rawValue] else { continue }
                let before = s.offers
                let offerActions = s.offers.handle(.withdrawn(agent: agent.rawValue))
                if s.offers != before { s.record("offer_withdrawn", agent.rawValue, at: now) }
                calls[call.rawValue] = s
                performOffers(offerActions, call: call.rawValue, tenant: tenant)
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

    /// Feeds `event` to call `id`'s offers (a call that has ended: as if its caller left),
    /// performs the call-wide actions and returns those for the leg of the offer concerned
    /// (`bridge`, `hangUp`), which the task ringing that phone performs.
    @discardableResult
    func offerEvent(_ id: String, _ event: AgentOffers.Event, tenant: String) -> [AgentOffers.Action] {
        var offers = calls[id]?.offers ?? Self.endedOffers
        let actions = offers.handle(event)
        calls[id]?.offers = offers
        return performOffers(actions, call: id, tenant: tenant)
    }

    static let endedOffers: AgentOffers = {
        var offers = AgentOffers()
        _ = offers.handle(.callerLeft)
        return offers
    }()

    /// Performs what a call's offers asked for; returns the actions for one leg (see `offerEvent`).
    @discardableResult
    func performOffers(_ actions: [AgentOffers.Action], call id: String, tenant: String) -> [AgentOffers.Action] {
        var leg: [AgentOffers.Action] = []
        for action in actions {
            switch action {
            case .ring(let offer, let agent):
                spawn { await self.ringAgent(call: id, offer: offer, agent: agent) }
            case .cancel(let offer):
                calls[id]?.ringing[offer]?.cancel() // not ringing yet: `ringAgent` sees the phase before it rings
            case .report(.answered(let agent)):
                guard var engine = engines[tenant] else { continue }
                let acd = engine.handle(.answered(ACDCallID(id), agent: ACDAgentID(agent)), now: Date())
                engines[tenant] = engine
                perform(acd, tenant: tenant)
            case .report(.rejected(let agent)):
                reject(ACDCallID(id), agent: ACDAgentID(agent), tenant: tenant)
            case .bridge, .hangUp:
                leg.append(action)
            }
        }
        return leg
    }

    /// INVITE to the agent's registered phone with the caller's number (offer `offer` of call
    /// `id`); on answer, bridge if this is the first answer, else hang up.
    func ringAgent(call id: String, offer: AgentOffers.OfferID, agent: String) async {
        guard let s = calls[id] else { return }
        let tenantID = s.tenantID
        guard let tenant = directory.tenants[tenantID], let entry = tenant.agents.first(where: { $0.id == agent }),
              let userAgent else {
            calls[id]?.record("agent_failed", "\(agent): not in the configuration", at: Date())
            offerEvent(id, .failed(offer), tenant: tenantID)
            return
        }
        let leg: MediaLeg
        let sdpOffer: SessionDescription
        do {
            (leg, sdpOffer) = try await media.offer(colocatedWith: s.callerLeg)
        } catch {
            logger.error("no media for the agent leg", metadata: ["error": "\(error)", "call.id": "\(id)"])
            calls[id]?.record("agent_failed", "\(agent): no media", at: Date())
            offerEvent(id, .failed(offer), tenant: tenantID)
            return
        }
        // Withdrawn, or the caller left, while the media was set up: do not ring at all.
        guard calls[id]?.offers.phase(of: offer) == .ringing else {
            await leg.close()
            calls[id]?.record("agent_cancelled", agent, at: Date())
            offerEvent(id, .failed(offer), tenant: tenantID)
            return
        }
        let from = NameAddress(displayName: s.caller, uri: SIPURI(user: s.caller, host: tenant.sipDomain))
        let aor = "sip:\(entry.sipUsername)@\(tenant.sipDomain)"
        let sdp = SessionBody(sdp: sdpOffer.serialized)
        let ring = Task { try await userAgent.inviteRegisteredWithAnswer(aor: aor, from: from, offer: sdp) }
        calls[id]?.ringing[offer] = ring
        let rung = await withTaskCancellationHandler { await ring.result } onCancel: { ring.cancel() }
        calls[id]?.ringing[offer] = nil
        let agentCall: SIPCall
        let answerBody: SessionBody?
        do {
            (agentCall, answerBody) = try rung.get()
        } catch {
            await leg.close()
            if calls[id]?.offers.phase(of: offer) == .ringing {
                logger.info("agent phone did not answer", metadata: ["call.id": "\(id)", "agent": "\(agent)", "error": "\(error)"])
                calls[id]?.record("agent_failed", "\(agent): \(error)", at: Date())
            } else {
                // Cancelled: the ACD withdrew the offer, another agent answered, or the caller left.
                calls[id]?.record("agent_cancelled", agent, at: Date())
            }
            offerEvent(id, .failed(offer), tenant: tenantID)
            return
        }
        guard offerEvent(id, .answered(offer), tenant: tenantID).contains(.bridge(offer)) else {
            // Too late: another agent answered first, the offer was withdrawn or the caller left.
            calls[id]?.record("agent_answer_dropped", agent, at: Date())
            await agentCall.hangUp()
            await leg.close()
            return
        }
        await connect(call: id, offer: offer, agent: agent, agentCall: agentCall, answerBody: answerBody, leg: leg)
    }

    /// Bridges the caller with the agent whose phone answered first, re-checking after every
    /// await that the answer still stands; then tells the offers (`bridged` or `bridgeFailed`).
    private func connect(call id: String, offer: AgentOffers.OfferID, agent: String, agentCall: SIPCall,
                         answerBody: SessionBody?, leg: MediaLeg) async {
        guard let tenantID = calls[id]?.tenantID, let callerLeg = calls[id]?.callerLeg else {
            offerEvent(id, .bridgeFailed(offer), tenant: "")
            await agentCall.hangUp()
            await leg.close()
            return
        }
        struct Abandoned: Error {}
        var musicStopped = false
        do {
            guard let body = answerBody,
                  let answer = try? SessionDescription(parsing: String(decoding: body.bytes, as: UTF8.self)) else {
                throw SDPMissing()
            }
            try await leg.accept(answer: answer, signallingAddress: await agentCall.peerIPAddress())
            guard calls[id]?.offers.phase(of: offer) == .connecting else { throw Abandoned() }
            musicStopped = true
            try? await callerLeg.stopPlayback()
            let bridge = try await media.bridge(callerLeg, leg)
            guard var current = calls[id], current.offers.phase(of: offer) == .connecting, !current.offers.callerLeft else {
                try? await bridge.unbridge()
                throw Abandoned()
            }
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
            for loser in current.offers.ringingAgents {
                calls[id]?.record("offer_cancelled", "\(loser): answered by \(agent)", at: now)
            }
            // CANCELs the phones still ringing and tells the ACD who answered. (Checked just above,
            // in this same turn: the offer is connecting, so nothing comes back for its leg.)
            offerEvent(id, .bridged(offer), tenant: tenantID)
            if let s = calls[id], let event = NodeEventFactory.answered(s, now: now) { publish(event) }
            // A caller who put the call on hold in the IVR or the queue is still holding: the agent
            // hears the queue's music, not the caller's hold audio, until the caller resumes.
            await applyHold(id)
            await journal(id)
        } catch {
            if !(error is Abandoned) {
                logger.warning("agent answer unusable", metadata: ["error": "\(error)", "call.id": "\(id)"])
                calls[id]?.record("agent_failed", "\(agent): answer unusable (\(error))", at: Date())
            }
            offerEvent(id, .bridgeFailed(offer), tenant: tenantID)
            await agentCall.hangUp()
            await leg.close()
            // Back to the music, unless another answer is being connected or the call moved on.
            if musicStopped, let s = calls[id], s.phase == .queued, !s.connecting {
                _ = await startPlayback(id, s.musicOnHold, loop: true)
            }
        }
    }
}

struct SDPMissing: Error {}
