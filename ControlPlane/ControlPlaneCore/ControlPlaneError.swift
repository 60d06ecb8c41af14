import CallCenterModel

/// The one error type of the control plane's use cases. The HTTP layer maps it to an RFC 9457
/// problem in exactly one place (`ProblemMiddleware`).
public struct ControlPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case badRequest = "bad-request"
        case validationFailed = "validation-failed"
        case unauthorized = "unauthorized"
        case forbidden = "forbidden"
        case tenantNotActive = "tenant-not-active"
        case notFound = "not-found"
        case conflict = "conflict"
        case unavailable = "unavailable"
        case tooManyRequests = "too-many-requests"
        /// A tenant quota (agents, numbers, prompts, API keys, ...) is used up: 409, the detail names the
        /// quota, its limit and how to free room or have it raised.
        case quotaExceeded = "quota-exceeded"
    }

    public var code: Code
    /// A sentence a person can act on.
    public var detail: String
    /// Field-level problems (validation).
    public var issues: [ValidationIssue]
    /// Seconds after which a retry may succeed (`Retry-After` on 429 and 503, RFC 9110 §10.2.3).
    public var retryAfterSeconds: Int?

    public init(_ code: Code, _ detail: String, issues: [ValidationIssue] = [], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.detail = detail
        self.issues = issues
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    public static func notFound(_ what: String) -> Self {
        Self(.notFound, "No \(what) with that id exists in your tenant.")
    }
    public static func validation(_ issues: [ValidationIssue]) -> Self {
        let summary = issues.prefix(3).map(\.description).joined(separator: "; ")
        return Self(.validationFailed, "The request has \(issues.count) invalid field(s): \(summary).", issues: issues)
    }
    public static func invalid(_ field: String, _ message: String) -> Self {
        validation([ValidationIssue(field: field, message: message)])
    }
    public static let unauthenticated = Self(
        .unauthorized, "Send a valid session token, API key or node credential as 'Authorization: Bearer <token>'.")
}
