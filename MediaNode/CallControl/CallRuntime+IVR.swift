import ACD
import CallCenterModel
import Foundation
import IVREngine
import MediaEngine
import RTPCore

extension CallRuntime {
    /// Runs the tenant's IVR flow on an answered call until it enqueues, hangs up or the caller
    /// leaves. The pure `IVRCallDriver` decides; this performs its commands on the caller leg.
    func runIVR(_ id: String, flow: IVRFlow) async {
        guard var s = calls[id], s.phase == .answering else { return }
        let (events, continuation) = AsyncStream<IVRCallDriver.Event>.makeStream()
        s.phase = .ivr
        s.ivrEvents = continuation
        s.record("ivr_started", flow.name, at: Date())
        calls[id] = s
        var driver = IVRCallDriver(interpreter: IVRInterpreter(
            flow: flow, callVariables: ["caller": s.caller, "called": s.did, "callId": id]))
        var commands = driver.start(now: Date())
        for command in commands { await performIVR(command, call: id, driver: driver) }
        if driver.isFinished { return }
        for await event in events {
            commands = driver.handle(event, now: Date())
            for command in commands { await performIVR(command, call: id, driver: driver) }
            if driver.isFinished { break }
        }
        calls[id]?.ivrEvents = nil
    }

    private func performIVR(_ command: IVRCallDriver.Command, call id: String, driver: IVRCallDriver) async {
        guard let s = calls[id], let events = s.ivrEvents else { return }
        switch command {
        case .play(let prompts, let bargeIn):
            let items = await self.prompts.render(prompts, tenant: s.tenantID)
            guard let current = calls[id], current.phase == .ivr else { return }
            guard !items.isEmpty, let playback = try? await current.callerLeg.play(items, loop: false, bargeIn: bargeIn) else {
                events.yield(.playbackEnded)
                return
            }
            // The prompt may already have ended (reported before `play` returned here).
            if let ended = calls[id]?.lastEndedPlayback, ended.rawValue >= playback.rawValue {
                events.yield(.playbackEnded)
            } else {
                calls[id]?.ivrPlayback = playback
            }
        case .stopPlayback:
            try? await s.callerLeg.stopPlayback()
        case .startTimer(let seconds, let token):
            spawn {
                guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
                events.yield(.timer(token))
            }
        case .httpRequest(let request):
            let http = self.http
            calls[id]?.record("ivr_http", "\(request.method) \(request.url)", at: Date())
            spawn { events.yield(.http(await http.perform(request))) }
        case .trace(let action):
            switch action {
            case .enterNode(let node):
                calls[id]?.ivrPath.append(node)
            case .setLanguage(let language):
                calls[id]?.record("ivr_language", language, at: Date())
            case .diagnostic(let node, let message):
                logger.warning("IVR expression problem", metadata: ["call.id": "\(id)", "ivr.node": "\(node)", "problem": "\(message)"])
                calls[id]?.record("ivr_diagnostic", "\(node): \(message)", at: Date())
            default:
                break
            }
        case .input(let node, let input):
            switch input {
            case .digits(let digits): calls[id]?.ivrInputs[node] = digits
            case .noInput: calls[id]?.record("ivr_no_input", node, at: Date())
            default: break
            }
        case .finished(let outcome):
            calls[id]?.ivrEvents = nil
            events.finish()
            var voicemailSeconds: Int?
            if case .voicemail(let node)? = driver.interpreter.path.last.flatMap({ driver.interpreter.flow.nodes[$0] }) {
                voicemailSeconds = node.maxSeconds
            }
            await ivrFinished(id, outcome: outcome, variables: driver.interpreter.variables, voicemailSeconds: voicemailSeconds)
        }
    }

    /// The IVR handed the call on: to a queue, or it ends here.
    private func ivrFinished(_ id: String, outcome: IVROutcome, variables: [String: IVRValue], voicemailSeconds: Int?) async {
        guard var s = calls[id], let tenant = directory.tenants[s.tenantID] else { return }
        let now = Date()
        s.ivrEndedAt = now
        if let language = variables["language"]?.description, !language.isEmpty { s.language = language }
        s.ivrVariables = variables.filter { !["caller", "called", "callId"].contains($0.key) }.mapValues(\.description)
        s.record("ivr_ended", Self.summary(outcome), at: now)
        calls[id] = s
        func queueID(_ key: String) -> String? {
            tenant.queues.first { $0.id == key }?.id ?? tenant.queues.first { $0.name.lowercased() == key.lowercased() }?.id
        }
        switch outcome {
        case .enqueued(let request):
            guard let queue = queueID(request.queue) else {
                return await endFromIVR(id, disposition: .failed, reason: "IVR names queue '\(request.queue)', which does not exist")
            }
            await enqueue(id, queue: queue, priority: request.priority, requiredSkills: request.requiredSkills,
                          attributes: request.attributes)
        case .transferred(.queue, let target):
            guard let queue = queueID(target) else {
                return await endFromIVR(id, disposition: .failed, reason: "IVR transfers to queue '\(target)', which does not exist")
            }
            await enqueue(id, queue: queue)
        case .transferred(let kind, let target):
            await endFromIVR(id, disposition: .failed, reason: "IVR transfer to \(kind.rawValue) '\(target)' is not served yet")
        case .voicemail(let mailbox):
            // The flow's own prompt has played: a beep, then the recording.
            await voicemail(id, mailbox: mailbox, maxSeconds: voicemailSeconds ?? configuration.voicemailMaxSeconds, greet: false)
        case .hungUp(let node):
            await endFromIVR(id, disposition: .completed, reason: "IVR hung up at '\(node)'")
        case .failed(let node, let reason):
            logger.warning("IVR flow failed", metadata: ["call.id": "\(id)", "ivr.node": "\(node ?? "-")", "reason": "\(reason)"])
            await endFromIVR(id, disposition: .failed, reason: "IVR failed at '\(node ?? "-")': \(reason)")
        case .callerHungUp:
            break // `callEnded` finishes the call
        }
    }

    /// One line for the CDR's event log.
    static func summary(_ outcome: IVROutcome) -> String {
        switch outcome {
        case .enqueued(let r): "queue \(r.queue), priority \(r.priority)" + (r.requiredSkills.isEmpty ? "" : ", skills \(r.requiredSkills.map(\.skill).joined(separator: ","))")
        case .transferred(let kind, let target): "transfer to \(kind.rawValue) \(target)"
        case .voicemail(let mailbox): "voicemail \(mailbox)"
        case .hungUp(let node): "hung up at \(node)"
        case .callerHungUp(let node): "caller hung up" + (node.map { " at \($0)" } ?? "")
        case .failed(let node, let reason): "failed at \(node ?? "-"): \(reason)"
        }
    }

    private func endFromIVR(_ id: String, disposition: CdrDisposition, reason: String) async {
        guard let inbound = calls[id]?.inbound else { return }
        calls[id]?.disposition = disposition
        calls[id]?.hangupReason = reason
        await inbound.hangUp()
        await finish(id, by: .system)
    }

    /// A position / estimated-wait announcement in the caller's language, then the music again.
    func announce(_ id: String, position: Int?, estimatedWaitSeconds: Int?) async {
        guard let s = calls[id], s.phase == .queued, !s.connecting, let queue = s.queueID,
              let tenant = directory.tenants[s.tenantID],
              let text = QueueAnnouncementText.playback(
                position: position, estimatedWaitSeconds: estimatedWaitSeconds,
                capSeconds: tenant.queue(queue)?.announcements.maxAnnouncedWaitSeconds, language: s.language) else { return }
        let items = await prompts.render([text], tenant: s.tenantID)
        guard !items.isEmpty, let current = calls[id], current.phase == .queued, !current.connecting,
              let playback = try? await current.callerLeg.play(items, loop: false, bargeIn: false) else { return }
        calls[id]?.record("announced", text.text, at: Date())
        if let ended = calls[id]?.lastEndedPlayback, ended.rawValue >= playback.rawValue {
            if let again = calls[id], again.phase == .queued, !again.connecting {
                _ = try? await again.callerLeg.play(again.musicOnHold, loop: true, bargeIn: false)
            }
        } else {
            calls[id]?.announcementPlayback = playback
        }
    }

    /// The queue's own music on hold (a tenant prompt file), instead of the node default.
    func playQueueMusic(_ id: String, prompt: String) async {
        guard let s = calls[id], s.phase == .queued else { return }
        let items = await prompts.render([IVRPlayback(file: prompt, segments: [], text: "", language: s.language, voice: nil)],
                                         tenant: s.tenantID)
        guard !items.isEmpty, let current = calls[id], current.phase == .queued, !current.connecting else { return }
        calls[id]?.musicOnHold = items
        if current.announcementPlayback == nil { _ = try? await current.callerLeg.play(items, loop: true, bargeIn: false) }
    }

    /// Forwards the caller leg's media events for the whole call: keys and prompt ends to the IVR,
    /// keys in the queue to the ACD (exit keys), and a dead RTP stream ends the call.
    func pumpCallerEvents(_ id: String, leg: MediaLeg) async {
        for await event in leg.events {
            guard let s = calls[id] else { return }
            switch event {
            case .dtmf(let digit, let source):
                s.ivrEvents?.yield(.digit(digit.character))
                calls[id]?.record("dtmf", "\(digit.character) \(source)", at: Date())
                if s.phase == .queued, var engine = engines[s.tenantID] {
                    let actions = engine.handle(.digit(ACDCallID(id), key: String(digit.character)), now: Date())
                    engines[s.tenantID] = engine
                    perform(actions, tenant: s.tenantID)
                }
            case .playbackFinished(let playback), .playbackStopped(let playback):
                if (s.lastEndedPlayback?.rawValue ?? 0) <= playback.rawValue { calls[id]?.lastEndedPlayback = playback }
                if let waiter = s.playbackWaiter, waiter.playback == playback {
                    calls[id]?.playbackWaiter = nil
                    waiter.continuation.resume()
                }
                if s.announcementPlayback == playback {
                    calls[id]?.announcementPlayback = nil
                    if case .playbackFinished = event, s.phase == .queued, !s.connecting {
                        _ = try? await s.callerLeg.play(s.musicOnHold, loop: true, bargeIn: false) // back to the music
                    }
                }
                if s.ivrPlayback == playback {
                    calls[id]?.ivrPlayback = nil
                    s.ivrEvents?.yield(.playbackEnded)
                }
            case .inactivityTimeout:
                logger.info("caller media stopped", metadata: ["call.id": "\(id)"])
                calls[id]?.hangupReason = "no RTP from the caller"
                await s.inbound.hangUp()
                await finish(id, by: .system)
                return
            case .dtmfEnded:
                break
            }
        }
    }
}
