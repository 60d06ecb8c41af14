import CallCenterModel
import Foundation

/// Drives an ``IVRInterpreter`` on a live call: turns its action batches into media commands
/// (prompts with or without barge-in, digit timers, HTTP requests) and the call's events (keys,
/// prompt ends, timer expiries, HTTP results) back into interpreter input. Pure: the media node
/// performs the commands and feeds the events; tests drive it with a script.
///
/// Digit collection follows common IVR practice: a key pressed during a prompt stops it (barge-in)
/// and counts; the first-digit timeout starts when the prompt has finished; each further key
/// restarts the inter-digit timeout; `maxDigits` or the finish key ends input at once. Prompts
/// before an HTTP request play while the request runs (a "one moment please"); its result is held
/// until that prompt ends. Prompts before a terminal action (enqueue, hang-up) play to the end
/// before the call moves on. Keys outside a collection are ignored.
public struct IVRCallDriver: Sendable {
    /// What the media node must do.
    public enum Command: Sendable, Equatable {
        /// Play these prompts, replacing whatever plays; report ``Event/playbackEnded`` when they
        /// have played or were stopped.
        case play([IVRPlayback], bargeIn: Bool)
        case stopPlayback
        /// Report ``Event/timer(_:)`` with this token after `seconds` (an older token is stale).
        case startTimer(seconds: Double, token: Int)
        /// Perform the request; report ``Event/http(_:)`` with the result.
        case httpRequest(IVRHTTPRequest)
        /// The flow entered a node, changed language, or met a runtime problem (for the CDR).
        case trace(IVRAction)
        /// Input the flow received at a node (for the CDR's IVR inputs).
        case input(node: String, IVRInput)
        /// The IVR is over; prompts before it have played. Perform the outcome.
        case finished(IVROutcome)
    }

    /// What happened on the call.
    public enum Event: Sendable, Equatable {
        case digit(Character)
        case playbackEnded
        case timer(Int)
        case http(IVRInput)
        case callerHungUp
    }

    public private(set) var interpreter: IVRInterpreter
    private var collection: IVRDigitCollection?
    private var buffer = ""
    private var playing = false
    private var timerToken = 0
    private var heldHTTPResult: IVRInput?
    private var pendingOutcome: IVROutcome?
    private var done = false

    public init(interpreter: IVRInterpreter) {
        self.interpreter = interpreter
    }

    /// True once ``Command/finished(_:)`` was issued.
    public var isFinished: Bool { done }

    /// Starts the flow.
    public mutating func start(now: Date) -> [Command] {
        process(interpreter.start(now: now), now: now)
    }

    /// Feeds one event.
    public mutating func handle(_ event: Event, now: Date) -> [Command] {
        guard !done else { return [] }
        switch event {
        case .callerHungUp:
            _ = interpreter.receive(.callerHungUp, now: now)
            done = true
            return [.finished(interpreter.outcome ?? .callerHungUp(node: interpreter.path.last))]
        case .digit(let key):
            guard let c = collection else { return [] }
            var commands: [Command] = []
            if playing {
                playing = false
                commands.append(.stopPlayback)
            }
            buffer.append(key)
            if buffer.count >= c.maxDigits || c.finishKey.map({ buffer.hasSuffix($0) }) == true {
                return commands + deliver(.digits(buffer), now: now)
            }
            timerToken += 1
            return commands + [.startTimer(seconds: Double(c.interDigitTimeoutSeconds), token: timerToken)]
        case .playbackEnded:
            guard playing else { return [] }
            playing = false
            if let outcome = pendingOutcome {
                pendingOutcome = nil
                done = true
                return [.finished(outcome)]
            }
            if let held = heldHTTPResult {
                heldHTTPResult = nil
                return process(interpreter.receive(held, now: now), now: now)
            }
            if let c = collection, buffer.isEmpty {
                timerToken += 1
                return [.startTimer(seconds: Double(c.firstDigitTimeoutSeconds), token: timerToken)]
            }
            return []
        case .timer(let token):
            guard token == timerToken, collection != nil, !playing else { return [] }
            return deliver(buffer.isEmpty ? .noInput : .digits(buffer), now: now)
        case .http(let result):
            guard case .waitingForHTTP = interpreter.state else { return [] }
            if playing {
                heldHTTPResult = result
                return []
            }
            return process(interpreter.receive(result, now: now), now: now)
        }
    }

    private mutating func deliver(_ input: IVRInput, now: Date) -> [Command] {
        let node = collection?.node
        collection = nil
        buffer = ""
        timerToken += 1
        var commands: [Command] = []
        if let node { commands.append(.input(node: node, input)) }
        return commands + process(interpreter.receive(input, now: now), now: now)
    }

    private mutating func process(_ actions: [IVRAction], now: Date) -> [Command] {
        var commands: [Command] = []
        var prompts: [IVRPlayback] = []
        func flushPrompts(bargeIn: Bool) {
            guard !prompts.isEmpty else { return }
            commands.append(.play(prompts, bargeIn: bargeIn))
            playing = true
            prompts.removeAll()
        }
        for action in actions {
            switch action {
            case .enterNode, .setLanguage, .diagnostic:
                commands.append(.trace(action))
            case .play(let p):
                prompts.append(p)
            case .collectDigits(let c):
                collection = c
                buffer = ""
                if prompts.isEmpty {
                    timerToken += 1
                    commands.append(.startTimer(seconds: Double(c.firstDigitTimeoutSeconds), token: timerToken))
                } else {
                    flushPrompts(bargeIn: true)
                }
            case .httpRequest(let r):
                flushPrompts(bargeIn: false)
                commands.append(.httpRequest(r))
            case .enqueue, .transfer, .recordVoicemail, .hangup:
                guard !done, pendingOutcome == nil else { continue }
                let outcome = interpreter.outcome ?? .failed(node: interpreter.path.last, reason: "flow ended without an outcome")
                if prompts.isEmpty {
                    done = true
                    commands.append(.finished(outcome))
                } else {
                    flushPrompts(bargeIn: false)
                    pendingOutcome = outcome
                }
            }
        }
        // Finished without a terminal action (the caller's hang-up is fed separately): report it anyway.
        if !done, pendingOutcome == nil, let outcome = interpreter.outcome {
            done = true
            commands.append(.finished(outcome))
        }
        return commands
    }
}
