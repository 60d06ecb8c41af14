import CallCenterModel
import Foundation

/// Runs one call through an IVR flow: a value-type state machine. ``start(now:)`` and
/// ``receive(_:now:)`` return the actions to perform; the batch ends when the flow waits for
/// digits or an HTTP result, or has finished (``outcome``). No I/O, no clock of its own.
public struct IVRInterpreter: Sendable {
    public enum State: Sendable, Equatable {
        case notStarted
        case waitingForDigits(node: String)
        case waitingForHTTP(node: String)
        case finished(IVROutcome)
    }

    /// Limits that keep a broken flow from spinning.
    public struct Configuration: Sendable {
        /// Node transitions allowed without any caller input or HTTP wait.
        public var maxStepsWithoutInput: Int
        public init(maxStepsWithoutInput: Int = 200) { self.maxStepsWithoutInput = maxStepsWithoutInput }
    }

    public let flow: IVRFlow
    let configuration: Configuration
    public internal(set) var state: State = .notStarted
    /// Current variables (flow defaults, call variables, gathered digits, HTTP mappings, `set`s).
    public internal(set) var variables: [String: IVRValue]
    public internal(set) var language: String
    public internal(set) var voice: String?
    /// Nodes entered, in order.
    public internal(set) var path: [String] = []
    var attempts = 0
    var stepsWithoutInput = 0
    var actions: [IVRAction] = []

    /// `callVariables` usually carry `caller`, `called` and `callId`.
    public init(flow: IVRFlow, callVariables: [String: String] = [:], configuration: Configuration = Configuration()) {
        self.flow = flow
        self.configuration = configuration
        var vars: [String: IVRValue] = [:]
        for (k, v) in flow.variables { vars[k] = .string(v) }
        for (k, v) in callVariables { vars[k] = .string(v) }
        variables = vars
        language = flow.language
        voice = flow.voice
    }

    /// The final outcome, once finished.
    public var outcome: IVROutcome? { if case .finished(let o) = state { o } else { nil } }

    /// Enters the start node.
    public mutating func start(now: Date) -> [IVRAction] {
        guard state == .notStarted else { return [] }
        enter(flow.start, now: now)
        return take()
    }

    /// Feeds the result of the action the flow waits for.
    public mutating func receive(_ input: IVRInput, now: Date) -> [IVRAction] {
        if input == .callerHungUp {
            if case .finished = state { return [] }
            state = .finished(.callerHungUp(node: path.last))
            return []
        }
        switch state {
        case .waitingForDigits(let id):
            stepsWithoutInput = 0
            digits(input, at: id, now: now)
        case .waitingForHTTP(let id):
            stepsWithoutInput = 0
            http(input, at: id, now: now)
        case .notStarted, .finished:
            break
        }
        return take()
    }

    private mutating func take() -> [IVRAction] {
        defer { actions.removeAll() }
        return actions
    }

    mutating func finish(_ outcome: IVROutcome) {
        state = .finished(outcome)
    }

    func playback(_ prompt: IVRPrompt) -> IVRAction {
        .play(IVRRenderer.playback(prompt, variables: variables, language: language, voice: voice))
    }

    /// Looks a variable up for expressions (dotted names are plain keys: `order.status`).
    func lookup(_ name: String) -> IVRValue { variables[name] ?? .null }
}
