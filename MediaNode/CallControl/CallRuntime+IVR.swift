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
            guard calls[id]?.phase == .ivr, let playback = await startPlayback(id, items, bargeIn: bargeIn) else {
                events.yield(.playbackEnded)
                return
            }
            spawn {
                _ = await self.playbackEnd(id, playback)
                events.yield(.playbackEnded)
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
                return await end(id, disposition: .failed, reason: "IVR names queue '\(request.queue)', which does not exist")
            }
            await enqueue(id, queue: queue, priority: request.priority, requiredSkills: request.requiredSkills,
                          attributes: request.attributes)
        case .transferred(.queue, let target):
            guard let queue = queueID(target) else {
                return await end(id, disposition: .failed, reason: "IVR transfers to queue '\(target)', which does not exist")
            }
            await enqueue(id, queue: queue)
        case .transferred(let kind, let target):
            await end(id, disposition: .failed, reason: "IVR transfer to \(kind.rawValue) '\(target)' is not served yet")
        case .voicemail(let mailbox):
            // The flow's own prompt has played: a beep, then the recording.
            await voicemail(id, mailbox: mailbox, maxSeconds: voicemailSeconds ?? configuration.voicemailMaxSeconds, greet: false)
        case .hungUp(let node):
            await end(id, disposition: .completed, reason: "IVR hung up at '\(node)'")
        case .failed(let node, let reason):
            logger.warning("IVR flow failed", metadata: ["call.id": "\(id)", "ivr.node": "\(node ?? "-")", "reason": "\(reason)"])
            await end(id, disposition: .failed, reason: "IVR failed at '\(node ?? "-")': \(reason)")
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

    /// A position / estimated-wait announcement in the caller's language, then the music again.
    func announce(_ id: String, position: Int?, estimatedWaitSeconds: Int?) async {
        guard let s = calls[id], s.phase == .queued, !s.connecting, let queue = s.queueID,
              let tenant = directory.tenants[s.tenantID],
              let text = QueueAnnouncementText.playback(
                position: position, estimatedWaitSeconds: estimatedWaitSeconds,
                capSeconds: tenant.queue(queue)?.announcements.maxAnnouncedWaitSeconds, language: s.language) else { return }
        let items = await prompts.render([text], tenant: s.tenantID)
        guard let current = calls[id], current.phase == .queued, !current.connecting,
              let playback = await startPlayback(id, items) else { return }
        calls[id]?.announcing = true
        calls[id]?.record("announced", text.text, at: Date())
        let finished = await playbackEnd(id, playback)
        calls[id]?.announcing = false
        if finished, let again = calls[id], again.phase == .queued, !again.connecting {
            _ = await startPlayback(id, again.musicOnHold, loop: true) // back to the music
        }
    }

    /// The queue's own music on hold (a tenant prompt file), instead of the node default.
    func playQueueMusic(_ id: String, prompt: String) async {
        guard let s = calls[id], s.phase == .queued else { return }
        let items = await prompts.render([IVRPlayback(file: prompt, segments: [], text: "", language: s.language, voice: nil)],
                                         tenant: s.tenantID)
        guard !items.isEmpty, let current = calls[id], current.phase == .queued, !current.connecting else { return }
        calls[id]?.musicOnHold = items
        if !current.announcing { _ = await startPlayback(id, items, loop: true) } // else it follows the announcement
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
            case .playbackFinished(let playback):
                playbackEnded(id, playback, finished: true)
            case .playbackStopped(let playback):
                playbackEnded(id, playback, finished: false)
            case .inactivityTimeout:
                logger.info("caller media stopped", metadata: ["call.id": "\(id)"])
                await end(id, reason: "no RTP from the caller")
                return
            case .dtmfEnded:
                break
            }
        }
    }
}
