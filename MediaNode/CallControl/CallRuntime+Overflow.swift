import ACD
import ControlPlaneClient
import NIOPosix
import CallCenterModel
import Foundation
import IVREngine
import MediaEngine
import RTPCore

extension CallRuntime {
    /// A queue gave up on a caller (max wait, max length, empty queue, exit key): send them where
    /// the queue says — another queue, an IVR flow, voicemail — or end the call.
    func overflow(_ id: String, target: OverflowTarget?, reason: OverflowReason) async {
        guard var s = calls[id], s.phase == .queued, let tenant = directory.tenants[s.tenantID] else { return }
        let now = Date()
        s.record("overflow", reason.rawValue + (target.map { " → \(Self.describe($0))" } ?? ""), at: now)
        calls[id] = s
        switch target {
        case .queue(let key)?:
            guard let queue = tenant.queues.first(where: { $0.id == key || $0.name.lowercased() == key.lowercased() })?.id else {
                return await end(id, disposition: .overflowed, reason: "overflow queue '\(key)' does not exist")
            }
            // Priority and variables go along; the first queue's per-call skills do not.
            await enqueue(id, queue: queue, priority: s.enqueuePriority, attributes: s.enqueueAttributes, overflow: true)
        case .ivrFlow(let alias)?:
            guard let flow = tenant.ivrFlows[alias] else {
                return await end(id, disposition: .overflowed, reason: "overflow IVR alias '\(alias)' is not published")
            }
            calls[id]?.phase = .answering
            await runIVR(id, flow: flow)
        case .voicemail(let mailbox)?:
            let box = mailbox ?? tenant.queues.first { $0.id == s.queueID }?.name ?? "general"
            await voicemail(id, mailbox: box, maxSeconds: configuration.voicemailMaxSeconds, greet: true)
        case .hangup?, nil:
            await end(id, disposition: .overflowed, reason: "overflow: \(reason.rawValue)")
        }
    }

    static func describe(_ target: OverflowTarget) -> String {
        switch target {
        case .queue(let q): "queue \(q)"
        case .ivrFlow(let alias): "IVR \(alias)"
        case .voicemail(let box): "voicemail \(box ?? "(queue)")"
        case .hangup: "hang up"
        }
    }

    /// Voicemail: a greeting in the caller's language (unless an IVR prompt just played), a beep, then the
    /// caller is recorded to `<voicemail dir>/<tenant>/<mailbox>/<call id>.wav` until they hang up
    /// or `maxSeconds` pass. The CDR is `voicemail` with the file as its recording.
    func voicemail(_ id: String, mailbox: String, maxSeconds: Int, greet: Bool) async {
        guard var s = calls[id] else { return }
        let box = PromptAudioFile.isValidName(mailbox) ? mailbox : "general"
        s.phase = .voicemail
        s.disposition = .voicemail
        s.record("voicemail", box, at: Date())
        calls[id] = s
        let speech = greet ? await prompts.render([QueueAnnouncementText.voicemailGreeting(language: s.language)], tenant: s.tenantID) : []
        let beep: PlaybackItem = .tone(Tone(frequencies: [1000], levelDBm0: -12), durationMs: 400)
        if let greeting = await startPlayback(id, speech + [.silence(durationMs: 200), beep]) {
            _ = await playbackEnd(id, greeting)
        }
        guard let current = calls[id], current.phase == .voicemail else { return } // hung up during the greeting
        let directory = "\(configuration.voicemailDirectory)/\(current.tenantID)/\(box)"
        let path = "\(directory)/\(id).wav"
        do {
            try await NIOThreadPool.singleton.runIfActive { try DurableFile.createDirectory(directory) }
            let recording = try await current.callerLeg.record(to: path)
            calls[id]?.voicemail = recording
            calls[id]?.recording = path
        } catch {
            logger.error("voicemail could not be recorded", metadata: ["call.id": "\(id)", "error": "\(error)"])
            return await end(id, disposition: .failed, reason: "voicemail could not be recorded")
        }
        spawn {
            guard (try? await Task.sleep(for: .seconds(maxSeconds))) != nil else { return }
            await self.endVoicemailAtLimit(id)
        }
    }

    private func endVoicemailAtLimit(_ id: String) async {
        guard calls[id]?.phase == .voicemail else { return }
        await end(id, reason: "voicemail time limit")
    }
}
