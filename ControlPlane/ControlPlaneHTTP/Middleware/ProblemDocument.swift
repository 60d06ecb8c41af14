import CallCenterModel
import ControlPlaneCore
import Foundation
import HTTPTypes

/// An RFC 9457 problem document, the body of every error response.
struct ProblemDocument: Codable, Sendable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var instance: String?
    var errors: [ValidationIssue]?
    /// Sent as `Retry-After`, not in the body.
    var retryAfterSeconds: Int?

    private enum CodingKeys: String, CodingKey { case type, title, status, detail, instance, errors }

    static let contentType = "application/problem+json"

    init(status: HTTPResponse.Status, code: String, detail: String, errors: [ValidationIssue]? = nil) {
        self.type = ProblemType.uri(code)
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.errors = errors?.isEmpty == false ? errors : nil
    }

    /// The one mapping from control-plane errors to HTTP (`ProblemType.of`).
    init(_ error: ControlPlaneError) {
        self.init(status: ProblemType.of(error.code).status, code: error.code.rawValue, detail: error.detail, errors: error.issues)
        self.retryAfterSeconds = error.retryAfterSeconds
    }

    var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data(#"{"status":500,"title":"Internal Server Error","type":"/docs/problems/internal"}"#.utf8)
    }

    var headerFields: HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = Self.contentType
        if status == 401 { fields[.wwwAuthenticate] = "Bearer" }
        if let retryAfterSeconds { fields[.retryAfter] = String(max(0, retryAfterSeconds)) }
        return fields
    }
}
