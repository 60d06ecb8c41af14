import ControlPlaneAPI
import Foundation
import MediaEngine

extension CallSession {
    /// The CDR of this call (`openapi.yaml` `Cdr`): timestamps, durations in ms, quality of the caller leg.
    func makeCdr(endedAt: Date, hangupBy: HangupParty, quality: MediaQualityStats?, wrapUpMs: Int64?) -> Components.Schemas.Cdr {
        func ms(_ from: Date?, _ to: Date?) -> Int64? {
            guard let from, let to else { return nil }
            return max(0, Int64((to.timeIntervalSince(from) * 1000).rounded()))
        }
        let disposition = self.disposition ?? (answeredAt != nil ? .answered : (queuedAt != nil ? .abandoned : .failed))
        let ringEnd = answeredAt ?? (offeredAt != nil ? endedAt : nil)
        let cdr = Components.Schemas.Cdr(
            id: id,
            tenantId: tenantID,
            callId: inbound.id.callID,
            direction: .inbound,
            caller: caller,
            callee: did,
            did: did,
            startedAt: startedAt,
            ivrEndedAt: ivrEndedAt,
            queuedAt: queuedAt,
            offeredAt: offeredAt,
            answeredAt: answeredAt,
            endedAt: endedAt,
            ivrMs: ivrEndedAt.map { _ in ms(startedAt, ivrEndedAt) ?? 0 },
            waitMs: ms(queuedAt, answeredAt ?? endedAt),
            ringMs: ms(offeredAt, ringEnd),
            talkMs: ms(answeredAt, endedAt),
            holdMs: answeredAt != nil ? 0 : nil,
            wrapUpMs: wrapUpMs,
            queueId: queueID,
            agentId: agentID,
            ivrPath: ivrPath.isEmpty ? nil : ivrPath,
            ivrInputs: ivrInputs.isEmpty ? nil : .init(additionalProperties: ivrInputs),
            disposition: Components.Schemas.CdrDisposition(rawValue: disposition.rawValue) ?? .failed,
            hangupBy: .init(rawValue: hangupBy.rawValue),
            hangupReason: hangupReason,
            packetLossPercent: quality.map { max(0, $0.lossRatio) * 100 },
            jitterMs: quality?.jitterMs,
            mos: quality?.mos,
            recording: recording,
            events: log.map { .init(at: $0.at, _type: $0.type, detail: $0.detail) }
        )
        return cdr.sanitized()
    }
}

extension Components.Schemas.Cdr {
    /// Every text field as the control plane can store it: no control characters (a caller's
    /// `From: <sip:%00@x>` used to put a NUL here, PostgreSQL refused it and the batch with it),
    /// each field, list and map bounded. Applied where the CDR (and a call's live record) is
    /// made; whatever the control plane still refuses is dead-lettered by the shipper.
    package func sanitized() -> Self {
        var cdr = self
        cdr.callId = callId.map { CdrText.clean($0, limit: 256) }
        cdr.caller = CdrText.clean(caller, limit: 128)
        cdr.callee = CdrText.clean(callee, limit: 128)
        cdr.did = did.map { CdrText.clean($0, limit: 128) }
        cdr.hangupReason = hangupReason.map { CdrText.clean($0, limit: 512) }
        cdr.recording = recording.map { CdrText.clean($0, limit: 1024) }
        cdr.ivrPath = ivrPath.map { $0.prefix(CdrText.maxItems).map { CdrText.clean($0, limit: 128) } }
        if let inputs = ivrInputs?.additionalProperties {
            var cleaned: [String: String] = [:]
            for (key, value) in inputs.sorted(by: { $0.key < $1.key }).prefix(CdrText.maxItems) {
                cleaned[CdrText.clean(key, limit: 128)] = CdrText.clean(value, limit: 512)
            }
            cdr.ivrInputs = .init(additionalProperties: cleaned)
        }
        cdr.events = events.map {
            $0.prefix(CdrText.maxItems).map { .init(at: $0.at, _type: CdrText.clean($0._type, limit: 64), detail: $0.detail.map { CdrText.clean($0, limit: 512) }) }
        }
        return cdr
    }
}

/// Text from the wire on its way into a CDR.
package enum CdrText {
    /// Most entries in a CDR's lists and maps.
    package static let maxItems = 500

    /// `text` without control characters (C0, DEL, C1; a NUL among them), at most `limit` Unicode
    /// scalars — how openapi.yaml's `maxLength` counts, so the control plane accepts what this keeps.
    package static func clean(_ text: String, limit: Int) -> String {
        let isClean = text.unicodeScalars.allSatisfy { !isControl($0) }
        if isClean, text.unicodeScalars.count <= limit { return text }
        var scalars = String.UnicodeScalarView()
        var kept = 0
        for scalar in text.unicodeScalars where !isControl(scalar) {
            guard kept < limit else { break }
            scalars.append(scalar)
            kept += 1
        }
        return String(scalars)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
