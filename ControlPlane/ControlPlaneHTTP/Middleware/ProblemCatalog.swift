import ControlPlaneCore
import Foundation
import HTTPTypes

/// Every problem type the control plane answers with (issue 13). A problem's `type` is
/// `/docs/problems/<code>`, a page the control plane serves (`APIHandler+Docs.swift`) saying what the
/// problem means and what to do; `/docs/problems` lists them all.
struct ProblemType: Sendable, Equatable {
    var code: String
    var status: HTTPResponse.Status
    /// What happened, in general.
    var meaning: String
    /// What the client should do.
    var action: String

    var title: String { status.reasonPhrase }
    var uri: String { Self.uri(code) }

    static func uri(_ code: String) -> String { "/docs/problems/\(code)" }

    /// The one mapping from use-case errors to HTTP (exhaustive: a new code must be documented).
    static func of(_ code: ControlPlaneError.Code) -> ProblemType {
        switch code {
        case .badRequest:
            ProblemType(code: code.rawValue, status: .badRequest,
                        meaning: "The request is malformed: the body is not JSON or not the operation's content type, an id or parameter is not in its format, a required part is missing, or an Idempotency-Key header is empty or longer than 255 characters.",
                        action: "Fix the part the detail names; the operation's description in /docs/openapi.yaml gives the expected form. Retrying unchanged will fail again.")
        case .validationFailed:
            ProblemType(code: code.rawValue, status: .unprocessableContent,
                        meaning: "The request is well-formed but its content is invalid. The errors list names each field (as a JSON path) and what is wrong with it. The same type is used when an Idempotency-Key is reused with a different request.",
                        action: "Correct every listed field and send the request again. For a reused Idempotency-Key, send the original request or use a new key.")
        case .unauthorized:
            ProblemType(code: code.rawValue, status: .unauthorized,
                        meaning: "No valid credential came with the request: none at all, a malformed one, or a session token, API key or node credential that expired, was revoked or is unknown.",
                        action: "Send 'Authorization: Bearer <token>' with a current session token (POST /v1/auth/login), API key or node credential. For a failed login, check tenant, email and password.")
        case .forbidden:
            ProblemType(code: code.rawValue, status: .forbidden,
                        meaning: "The credential is valid but may not do this: the user's role or the API key's scopes do not include the permission, or the credential is of the wrong kind (e.g. a node credential on a tenant route).",
                        action: "Use a credential that holds the permission (see the permission table in the README), or ask a tenant admin to grant it. Retrying with the same credential will fail again.")
        case .tenantNotActive:
            ProblemType(code: code.rawValue, status: .forbidden,
                        meaning: "The tenant is suspended or closed: every credential of the tenant is refused.",
                        action: "Contact platform support to have the tenant reactivated.")
        case .notFound:
            ProblemType(code: code.rawValue, status: .notFound,
                        meaning: "Nothing with that id or name exists in the caller's tenant (another tenant's objects are reported the same way).",
                        action: "Check the id; list the collection to find the right one.")
        case .conflict:
            ProblemType(code: code.rawValue, status: .conflict,
                        meaning: "The request conflicts with the current state: a name or number already taken, the tenant's last admin, a move to an unsuitable node, or an Idempotency-Key whose first request is still being processed (or whose answer showed a secret once and is not replayed).",
                        action: "Read the detail: pick another name, change the state it names first, or, for an Idempotency-Key, wait for the first request's answer (or GET the Location given).")
        case .quotaExceeded:
            ProblemType(code: code.rawValue, status: .conflict,
                        meaning: "A tenant quota is used up (e.g. agents, numbers, prompts, API keys); the detail names the quota and its limit.",
                        action: "Delete what you no longer need to free room, or ask platform staff to raise the quota.")
        case .unavailable:
            ProblemType(code: code.rawValue, status: .serviceUnavailable,
                        meaning: "The service cannot take the request right now (e.g. the database is not reachable).",
                        action: "Retry later, after Retry-After seconds when given.")
        case .tooManyRequests:
            ProblemType(code: code.rawValue, status: .tooManyRequests,
                        meaning: "Too many requests of this kind: failed logins from one address or for one account, or the tenant's event streams are all in use.",
                        action: "Wait the Retry-After seconds before trying again, or close an open event stream.")
        }
    }

    /// Answered by the HTTP layer, before or around an operation.
    /// Also a known path with a method it does not have (the router answers 404 for both).
    static let noRoute = ProblemType(
        code: "http-404", status: .notFound, meaning: "There is no route for the request's method and path.",
        action: "Check the method and path against /docs/openapi.yaml.")
    static let requestTimeout = ProblemType(
        code: "http-408", status: .requestTimeout,
        meaning: "The request body did not arrive in time (a slow or stalled upload); the connection is closed.",
        action: "Send the whole body at once, promptly after the headers.")
    static let contentTooLarge = ProblemType(
        code: "http-413", status: .contentTooLarge,
        meaning: "The request body is larger than the operation accepts (16 KB for sign-up, login and node registration, 8 MB for CDR batches, 6 MB for prompts, 1 MB for IVR, 256 KB otherwise).",
        action: "Send a smaller body: split batches, shorten the content.")
    static let upgradeRequired = ProblemType(
        code: "upgrade-required", status: .upgradeRequired,
        meaning: "GET /v1/events is a WebSocket; it was requested without the WebSocket handshake.",
        action: "Open it with a WebSocket client (Upgrade: websocket) offering the subprotocol cc.v1, with the credential in the Authorization header or as the subprotocol cc.token.<token>.")
    static let httpError = ProblemType(
        code: "http-error", status: .badRequest,
        meaning: "The HTTP layer refused the request; the status and the detail say why.",
        action: "Follow the detail.")
    static let `internal` = ProblemType(
        code: "internal", status: .internalServerError,
        meaning: "The server failed to handle the request; the failure was logged with the request id.",
        action: "Retry later; if it persists, contact support with the time of the request.")

    static let httpLayer: [ProblemType] = [noRoute, requestTimeout, contentTooLarge, upgradeRequired, httpError, `internal`]

    /// Every type, use-case errors first.
    static let all: [ProblemType] = ControlPlaneError.Code.allCases.map(of) + httpLayer

    static func named(_ code: String) -> ProblemType? { all.first { $0.code == code } }

    /// The catalogued type for a status the HTTP layer answers with.
    static func http(_ status: HTTPResponse.Status) -> ProblemType {
        httpLayer.first { $0.status == status && $0.code.hasPrefix("http-") } ?? httpError
    }
}

/// A problem the HTTP layer raises inside an operation (not a use-case error), mapped by `ProblemMiddleware`.
struct HTTPLayerProblem: Error {
    var type: ProblemType
    var detail: String
}
