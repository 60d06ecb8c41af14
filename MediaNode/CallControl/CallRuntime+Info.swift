import MediaEngine
import RTPCore
import SIPUserAgent

extension CallRuntime {
    /// INFO in a call. DTMF bodies (`application/dtmf-relay`, `application/dtmf`) from the caller
    /// become key presses on the caller leg, exactly as RFC 4733 keys do (IVR, queue exit keys,
    /// barge-in, the CDR's log; the leg drops a press that also came as RTP). The agent's keys go
    /// to the caller as RFC 4733 events, as its telephone-events across the bridge do.
    /// Other INFO (keep-alives, packages we do not serve) is acknowledged as before; a DTMF body
    /// that cannot be read gets 400 (RFC 3261 §21.4.1).
    package func info(_ call: SIPCall, body: SessionBody?) async -> Int {
        guard let body, DTMFInfoBody.isDTMF(contentType: body.contentType) else { return 200 }
        guard let parsed = DTMFInfoBody.parse(contentType: body.contentType, body: body.bytes) else {
            logger.info("unreadable DTMF INFO body", metadata: ["sip.call_id": "\(call.id.callID)", "bytes": "\(body.bytes.count)"])
            return 400
        }
        guard case .key(let digit, let durationMs) = parsed else { return 200 } // a hook flash: nothing to do
        if let id = callForDialog[call.id], let leg = calls[id]?.callerLeg {
            try? await leg.receiveDTMF(digit, durationMs: durationMs, source: .sipInfo)
        } else if let id = agentCallForDialog[call.id], let callerLeg = calls[id]?.callerLeg {
            _ = try? await callerLeg.sendDTMF(digit, durationMs: durationMs)
        }
        return 200
    }
}
