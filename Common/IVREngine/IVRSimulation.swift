import CallCenterModel
import Foundation

/// A scripted caller and back end for ``IVRSimulator``. JSON example:
///
/// ```json
/// {"startTime": "2026-11-25T10:00:00Z", "caller": "+8613800000000",
///  "inputs": [{"digits": "1"}, {"digits": "12345678#", "afterSeconds": 4}, {"noInput": true}],
///  "httpResponses": [{"status": 200, "body": "{\"balance\": 1234.5}", "latencyMs": 120}]}
/// ```
public struct IVRSimulationScript: Codable, Sendable, Equatable {
    /// What the caller does each time the flow waits for digits, in order. When the list runs
    /// out the caller stays silent (no input) until the flow ends or `maxSteps` is reached.
    public struct Input: Codable, Sendable, Equatable {
        public var digits: String?
        /// Seconds from the prompt to the caller's entry (default 2). Ignored for no input,
        /// which takes the node's first-digit timeout.
        public var afterSeconds: Double?
        /// The caller presses nothing.
        public var noInput: Bool?
        /// The caller hangs up instead.
        public var hangUp: Bool?

        public init(digits: String? = nil, afterSeconds: Double? = nil, noInput: Bool? = nil, hangUp: Bool? = nil) {
            self.digits = digits; self.afterSeconds = afterSeconds; self.noInput = noInput; self.hangUp = hangUp
        }
    }

    /// The answer to each HTTP request, in order. Missing entries answer as a failure.
    public struct HTTPResponse: Codable, Sendable, Equatable {
        public var status: Int?
        public var body: String?
        public var timeout: Bool?
        public var error: String?
        public var latencyMs: Int?

        public init(status: Int? = nil, body: String? = nil, timeout: Bool? = nil, error: String? = nil, latencyMs: Int? = nil) {
            self.status = status; self.body = body; self.timeout = timeout; self.error = error; self.latencyMs = latencyMs
        }
    }

    public var startTime: Date
    public var caller: String?
    public var called: String?
    public var variables: [String: String]?
    public var inputs: [Input]?
    public var httpResponses: [HTTPResponse]?
    /// Stop after this many inputs (default 100).
    public var maxSteps: Int?
    /// The most steps a simulation runs, whatever `maxSteps` asks (the API refuses more).
    public static let maxStepsLimit = 1_000

    public init(startTime: Date, caller: String? = nil, called: String? = nil, variables: [String: String]? = nil,
                inputs: [Input]? = nil, httpResponses: [HTTPResponse]? = nil, maxSteps: Int? = nil) {
        self.startTime = startTime; self.caller = caller; self.called = called; self.variables = variables
        self.inputs = inputs; self.httpResponses = httpResponses; self.maxSteps = maxSteps
    }
}

/// One line of a simulation trace: an action of the flow or an input to it, at a time offset.
public struct IVRTraceEntry: Codable, Sendable, Equatable {
    /// Seconds since the call started.
    public var atSeconds: Double
    /// The node the flow was in.
    public var node: String?
    public var action: IVRAction?
    public var input: IVRInput?

    public init(atSeconds: Double, node: String?, action: IVRAction? = nil, input: IVRInput? = nil) {
        self.atSeconds = atSeconds; self.node = node; self.action = action; self.input = input
    }
}

/// What ``IVRSimulator/run(flow:script:)`` returns (JSON for the simulate API).
public struct IVRSimulationResult: Codable, Sendable, Equatable {
    /// Validation problems; when non-empty the flow was not run.
    public var issues: [IVRFlowIssue]
    public var trace: [IVRTraceEntry]
    /// nil when the script's step limit was reached first.
    public var outcome: IVROutcome?
    /// Nodes entered, in order.
    public var path: [String]
    /// Variables at the end.
    public var variables: [String: IVRValue]
    public var durationSeconds: Double
}
