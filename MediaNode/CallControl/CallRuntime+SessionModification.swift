import Foundation
import MediaEngine
import SDP
import SIPUserAgent

extension CallRuntime {
    /// A re-INVITE or UPDATE with an offer from the caller's or the agent's phone: a session refresh
    /// (RFC 4028; the answer keeps its version when nothing changed), hold or resume (RFC 3264 §8.4),
    /// a codec change within our profile, a new address. The leg answers it; an offer it cannot
    /// satisfy (no common codec, no audio, SRTP only, a group address) gets 488 (nil). Refreshes
    /// without an offer never reach here: the user agent answers them with the current session.
    package func sessionModified(_ call: SIPCall, offer: SessionBody?) async -> SessionBody? {
        let id: String, isCaller: Bool
        if let callID = callForDialog[call.id] {
            (id, isCaller) = (callID, true)
        } else if let callID = agentCallForDialog[call.id] {
            (id, isCaller) = (callID, false)
        } else {
            return nil
        }
        guard let s = calls[id], let leg = isCaller ? s.callerLeg : s.agentLeg, let offer,
              offer.contentType.lowercased().hasPrefix("application/sdp"),
              let sdp = try? SessionDescription(parsing: String(decoding: offer.bytes, as: UTF8.self)) else { return nil }
        let answer: SessionDescription
        do {
            answer = try await leg.update(offer: sdp)
        } catch {
            logger.info("re-offer refused", metadata: ["call.id": "\(id)", "party": "\(isCaller ? "caller" : "agent")", "error": "\(error)"])
            return nil
        }
        await applyHold(id)
        return SessionBody(sdp: answer.serialized)
    }

    /// Sets the bridge to what the phones' directions ask for: music on hold to the other party
    /// while one holds, the two parties together again on resume. Before the bridge (IVR, queue)
    /// there is nothing to do: a held caller is simply not sent the prompts or music
    /// (the leg sends only in a direction the caller receives).
    func applyHold(_ id: String) async {
        guard let s = calls[id], let bridge = s.bridge, let agentLeg = s.agentLeg else { return }
        let callerHolds = (try? await s.callerLeg.negotiatedAudio())??.direction.sends == false
        let agentHolds = (try? await agentLeg.negotiatedAudio())??.direction.sends == false
        let target = CallHold.media(callerHolds: callerHolds, agentHolds: agentHolds)
        guard let current = calls[id], current.holdMedia != target else { return }
        calls[id]?.holdMedia = target
        // The queue's music (its prompt, else the node default the caller waited with).
        let music = current.musicOnHold.isEmpty ? configuration.musicOnHold : current.musicOnHold
        do {
            switch target {
            case .talking:
                try await bridge.resume(agentLeg)
                try await bridge.resume(s.callerLeg)
                calls[id]?.record("resumed", nil, at: Date())
            case .musicToAgent:
                try await bridge.resume(s.callerLeg) // stops music the caller may have had
                try await bridge.hold(agentLeg, music: music)
                calls[id]?.record("held", "caller", at: Date())
            case .musicToCaller:
                try await bridge.resume(agentLeg)
                try await bridge.hold(s.callerLeg, music: music)
                calls[id]?.record("held", "agent", at: Date())
            }
        } catch {
            logger.warning("hold media not applied", metadata: ["call.id": "\(id)", "error": "\(error)"])
        }
    }
}
