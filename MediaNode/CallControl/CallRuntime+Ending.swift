import ACD
import Foundation
import MediaEngine
import NIOPosix
import SIPUserAgent

extension CallRuntime {
    /// BYE, CANCEL or a lost dialog on either leg.
    package func callEnded(_ call: SIPCall, reason: SIPCallEndReason) async {
        if let id = callForDialog[call.id] {
            let party: HangupParty = (reason == .remoteHangUp || reason == .cancelled) ? .caller : .system
            if calls[id]?.hangupReason == nil { calls[id]?.hangupReason = "\(reason)" }
            await finish(id, by: party)
        } else if let id = agentCallForDialog.removeValue(forKey: call.id) {
            let party: HangupParty = reason == .remoteHangUp ? .agent : .system
            if calls[id]?.hangupReason == nil { calls[id]?.hangupReason = "agent: \(reason)" }
            if let inbound = calls[id]?.inbound {
                await finish(id, by: party)
                await inbound.hangUp()
            }
        }
    }

    /// The caller's ACK arrived: media held until then (`holdMediaUntilConfirmed`) may flow.
    package func callConfirmed(_ call: SIPCall) async {
        guard let id = callForDialog[call.id], let leg = calls[id]?.callerLeg else { return }
        await leg.confirm()
    }

    /// Writes what is known of call `id` as its live record: if the node dies now, the next start
    /// turns it into a `node_failure` CDR. Returns when the record is durable.
    func journal(_ id: String) async {
        guard let s = calls[id] else { return }
        var cdr = s.makeCdr(endedAt: Date(), hangupBy: .system, quality: nil, wrapUpMs: nil)
        cdr.disposition = .nodeFailure
        cdr.hangupReason = "the media node stopped while the call was up"
        let record = cdr
        let spool = self.spool
        let logger = self.logger
        let previous = s.journalWrite
        let write = Task {
            await previous?.value
            do { try await NIOThreadPool.singleton.runIfActive { try spool.recordLive(record) } } catch {
                logger.error("live call record not written", metadata: ["call.id": "\(record.id)", "error": "\(error)"])
            }
        }
        calls[id]?.journalWrite = write
        await write.value
    }

    /// At start: CDRs for the calls a previous process died with.
    func recoverInterruptedCalls() async {
        let spool = self.spool
        do {
            let count = try await NIOThreadPool.singleton.runIfActive { try spool.recoverInterruptedCalls() }
            if count > 0 {
                logger.warning("calls cut off by the previous stop recovered as node_failure CDRs", metadata: ["count": "\(count)"])
                cdrSpooled()
            }
        } catch {
            logger.critical("interrupted calls could not be recovered", metadata: ["error": "\(error)"])
        }
    }

    /// Ends call `id` once: tells the ACD, hangs up the agent leg, spools the CDR durably, then
    /// releases the media.
    func finish(_ id: String, by party: HangupParty) async {
        guard var s = calls.removeValue(forKey: id) else { return }
        releaseCallSlot(s.tenantID)
        for ring in s.ringing.values { ring.cancel() } // the caller left while agents' phones rang: CANCEL
        callForDialog[s.inbound.id] = nil
        if let agentCall = s.agentCall { agentCallForDialog[agentCall.id] = nil }
        s.ivrEvents?.finish() // the IVR, if running, stops
        for waiter in s.playbackWaiters.values { waiter.resume(returning: false) }
        if let voicemail = s.voicemail { _ = try? await voicemail.stop() } // the file is complete before the CDR names it
        let now = Date()
        if s.disposition == nil, s.answeredAt == nil, s.queuedAt == nil, party == .caller {
            s.disposition = .abandoned // left in the IVR (no queue)
        }
        s.phase = .ended
        s.record("ended", party.rawValue, at: now)
        var wrapUpMs: Int64?
        if var engine = engines[s.tenantID] {
            let event: ACDEvent = s.answeredAt != nil ? .callEnded(ACDCallID(id)) : .callerHungUp(ACDCallID(id))
            let actions = engine.handle(event, now: now)
            engines[s.tenantID] = engine
            if s.answeredAt != nil, let queue = s.queueID, let config = directory.tenants[s.tenantID]?.queue(queue) {
                wrapUpMs = Int64(config.wrapUpSeconds) * 1000
            }
            perform(actions, tenant: s.tenantID)
        }
        if party != .agent, let agentCall = s.agentCall { await agentCall.hangUp() }
        let quality = try? await s.callerLeg.statistics()
        let cdr = s.makeCdr(endedAt: now, hangupBy: party, quality: quality, wrapUpMs: wrapUpMs)
        let spool = self.spool
        await s.journalWrite?.value
        do {
            // The CDR is on disk (fsync) before the call's media is released; then the live record goes.
            try await NIOThreadPool.singleton.runIfActive {
                try spool.append(cdr)
                spool.endLive(id)
            }
            cdrSpooled()
        } catch {
            logger.critical("CDR could not be spooled", metadata: ["cdr.id": "\(id)", "error": "\(error)"])
        }
        if let event = NodeEventFactory.ended(s, disposition: cdr.disposition.rawValue, hangupBy: party, now: now) { publish(event) }
        try? await s.bridge?.unbridge()
        await s.agentLeg?.close()
        await s.callerLeg.close()
        if calls.isEmpty, !drainWaiters.isEmpty {
            for w in drainWaiters { w.resume() }
            drainWaiters.removeAll()
        }
    }
}
