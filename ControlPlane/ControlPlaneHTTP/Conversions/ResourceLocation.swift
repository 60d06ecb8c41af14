import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The URL path of each kind of resource a `POST` creates: the `Location` of its 201 (issue 13),
/// where a GET with a credential that may read it returns the resource.
enum ResourceLocation {
    static func user(_ id: UUID) -> String { "/v1/users/\(id.wire)" }
    static func apiKey(_ id: UUID) -> String { "/v1/api-keys/\(id.wire)" }
    static func skill(_ id: UUID) -> String { "/v1/skills/\(id.wire)" }
    static func agent(_ id: UUID) -> String { "/v1/agents/\(id.wire)" }
    static func agentGroup(_ id: UUID) -> String { "/v1/agent-groups/\(id.wire)" }
    static func queue(_ id: UUID) -> String { "/v1/queues/\(id.wire)" }
    static func ivrFlowVersion(flowName: String, version: Int) -> String {
        // Flow names are a-z, 0-9, `-`, `_` (checked before the flow is stored): nothing to escape.
        "/v1/ivr/flows/\(flowName)/versions/\(version)"
    }
    /// A tenant's own record is read at /v1/tenant with one of its credentials (sign-up returns one).
    static let tenant = "/v1/tenant"
    static func platformNumber(_ id: UUID) -> String { "/v1/platform/numbers/\(id.wire)" }
    static func node(_ id: UUID) -> String { "/v1/platform/nodes/\(id.wire)" }
    static func bootstrapToken(_ id: UUID) -> String { "/v1/platform/bootstrap-tokens/\(id.wire)" }
}

/// The generated server writes header values URI-encoded (OpenAPI's `simple` style), so a `Location`
/// of `/v1/skills/<id>` would leave as `%2Fv1%2Fskills%2F<id>`. Outermost OpenAPI middleware: sends
/// the path as the handler made it (ids and names in it never need escaping; see `ResourceLocation`).
/// Innermost, so `IdempotencyMiddleware` stores and replays the plain path.
struct LocationHeaderMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, body) = try await next(request, body, metadata)
        if let location = response.headerFields[.location], let decoded = location.removingPercentEncoding {
            response.headerFields[.location] = decoded
        }
        return (response, body)
    }
}
