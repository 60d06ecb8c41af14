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
        return Components.Schemas.Cdr(
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
    }
}
