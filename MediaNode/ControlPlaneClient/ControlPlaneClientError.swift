package import ControlPlaneAPI

/// A node-channel request did not succeed.
package struct ControlPlaneClientError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case unauthorized
        case rejected
        case unexpectedStatus
        case notRegistered
    }

    private let code: Code
    /// The HTTP status, when the control plane answered.
    package let statusCode: Int?
    /// The problem document's `detail`, when there was one.
    package let detail: String

    private init(_ code: Code, statusCode: Int?, detail: String) {
        self.code = code
        self.statusCode = statusCode
        self.detail = detail
    }

    /// 401: the credential (or bootstrap token) is not accepted.
    package static func unauthorized(_ detail: String) -> Self { Self(.unauthorized, statusCode: 401, detail: detail) }
    /// A 4xx other than 401: retrying the same request will not help.
    package static func rejected(status: Int, _ detail: String) -> Self { Self(.rejected, statusCode: status, detail: detail) }
    /// A 5xx or an undocumented status: worth retrying.
    package static func unexpectedStatus(_ status: Int, _ detail: String) -> Self { Self(.unexpectedStatus, statusCode: status, detail: detail) }
    /// The node has no credential yet.
    package static let notRegistered = Self(.notRegistered, statusCode: nil, detail: "node not registered")

    /// True for 401.
    package var isUnauthorized: Bool { code == .unauthorized }
    /// True when the same request must not be retried unchanged.
    package var isPermanent: Bool { code == .rejected }

    /// Maps a non-success status and optional detail.
    static func status(_ status: Int, detail: String?) -> Self {
        let text = detail ?? "HTTP \(status)"
        switch status {
        case 401: return .unauthorized(text)
        case 400..<500 where status != 408 && status != 429: return .rejected(status: status, text)
        default: return .unexpectedStatus(status, text)
        }
    }

    package var description: String {
        if let statusCode { return "control plane: HTTP \(statusCode): \(detail)" }
        return "control plane: \(detail)"
    }
}

extension Components.Responses.Problem {
    /// The problem document's `detail`, when the body is one.
    package var detailText: String? {
        (try? body.applicationProblemJson)?.detail
    }
}

/// A problem response `openapi.yaml` declares (400, 401, 403, 404, 409, 413, 422, ...): the typed
/// errors of the generated client.
package protocol DeclaredProblemResponse {
    /// The problem document, when the body is one.
    var problem: Components.Schemas.Problem? { get }
}

extension Components.Responses.BadRequest: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.Unauthorized: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.Forbidden: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.NotFound: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.Conflict: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.ContentTooLarge: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}
extension Components.Responses.UnprocessableContent: DeclaredProblemResponse {
    package var problem: Components.Schemas.Problem? { try? body.applicationProblemJson }
}

extension ControlPlaneClientError {
    /// Maps a declared problem response with its status.
    static func declared(_ status: Int, _ response: some DeclaredProblemResponse) -> Self {
        .status(status, detail: response.problem?.detail)
    }
}
