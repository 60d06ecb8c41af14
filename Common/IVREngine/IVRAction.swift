import CallCenterModel
import Foundation

/// What the interpreter asks the media node to do. The last action of a batch tells what it waits
/// for: `collectDigits` (answer with digits or no input), `httpRequest` (answer with its result), or
/// a terminal action (`enqueue`, `transfer`, `recordVoicemail`, `hangup`).
public enum IVRAction: Codable, Sendable, Equatable, Hashable {
    /// Informational: the flow entered a node (for traces and the CDR's IVR path).
    case enterNode(String)
    case play(IVRPlayback)
    case collectDigits(IVRDigitCollection)
    case httpRequest(IVRHTTPRequest)
    /// The caller's language changed (prompts now use it).
    case setLanguage(String)
    case enqueue(IVREnqueueRequest)
    case transfer(kind: IVRTransferNode.Kind, target: String)
    case recordVoicemail(mailbox: String, maxSeconds: Int)
    case hangup
    /// Informational: an expression failed at runtime and was treated as false / null.
    case diagnostic(node: String, message: String)
}

/// How to collect DTMF: stop at `maxDigits`, at `finishKey`, or after the timeouts.
public struct IVRDigitCollection: Codable, Sendable, Equatable, Hashable {
    public var node: String
    public var minDigits: Int
    public var maxDigits: Int
    public var finishKey: String?
    public var firstDigitTimeoutSeconds: Int
    public var interDigitTimeoutSeconds: Int
}

/// A request to the tenant's endpoint; answer with ``IVRInput/httpResponse(status:body:)`` etc.
public struct IVRHTTPRequest: Codable, Sendable, Equatable, Hashable {
    public var node: String
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: String?
    public var timeoutSeconds: Int

    public init(node: String, method: String, url: String, headers: [String: String], body: String?, timeoutSeconds: Int) {
        self.node = node; self.method = method; self.url = url; self.headers = headers; self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The call goes to the ACD.
public struct IVREnqueueRequest: Codable, Sendable, Equatable, Hashable {
    public var queue: String
    public var priority: Int
    public var requiredSkills: [SkillRequirement]
    /// Variables at this point, as strings (the ACD's priority rules and the agent's screen pop use them).
    public var attributes: [String: String]
}

/// What comes back to the interpreter.
public enum IVRInput: Codable, Sendable, Equatable, Hashable {
    /// Digits collected (the finish key may be included at the end).
    case digits(String)
    /// No digit before the first-digit timeout.
    case noInput
    case httpResponse(status: Int, body: String)
    case httpTimeout
    case httpFailed(reason: String)
    case callerHungUp
}

/// How a flow run ended.
public enum IVROutcome: Codable, Sendable, Equatable, Hashable {
    case enqueued(IVREnqueueRequest)
    case transferred(kind: IVRTransferNode.Kind, target: String)
    case voicemail(mailbox: String)
    /// The flow hung up (`hangup` node or a menu out of attempts).
    case hungUp(node: String)
    /// The caller hung up first.
    case callerHungUp(node: String?)
    /// The flow could not continue (missing node, runaway loop).
    case failed(node: String?, reason: String)
}
