import CallCenterModel
import ControlPlaneCore
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Enforces `SpecLimits` (the spec's maxLength/maxItems/minimum/... bounds) on every operation's
/// query parameters and JSON body before the generated decoder sees them: a violation is a 422
/// `validation-failed` problem listing each field, never a row written with an oversized value.
/// The body has already been bounded in bytes and time by `RequestLimitsMiddleware`.
struct SpecLimitsMiddleware: ServerMiddleware {
    let limits: SpecLimits

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let operation = limits.operations[operationID] else { return try await next(request, body, metadata) }
        var issues: [ValidationIssue] = []
        if !operation.query.isEmpty, let path = request.path, let query = path.firstIndex(of: "?") {
            let items = URLComponents(string: "/" + path[query...])?.queryItems ?? []
            issues += limits.issues(query: items.prefix(64).map { ($0.name, $0.value ?? "") }, operationID: operationID)
        }
        if !operation.path.isEmpty {
            issues += limits.issues(query: metadata.pathParameters.map { ($0.key, String($0.value)) }, operationID: operationID, in: \.path)
        }
        var body = body
        var itemIssues: [String: [Int: [ValidationIssue]]] = [:]
        if operation.body != nil, let received = body, Self.isJSON(request.headerFields[.contentType]) {
            // Already collected and bounded by RequestLimitsMiddleware; this bound only guards direct use.
            let data = try await Data(collecting: received, upTo: 16 * 1024 * 1024)
            body = HTTPBody(data)
            // Not JSON: the generated decoder answers 400 with the parser's message.
            if let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) {
                let found = limits.bodyIssues(json, operationID: operationID)
                issues += found.request
                itemIssues = found.items
            }
        }
        guard issues.isEmpty else { throw ControlPlaneError.validation(Array(issues.prefix(SpecLimits.maxIssues))) }
        return try await SpecLimits.$currentItemIssues.withValue(itemIssues) { try await next(request, body, metadata) }
    }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }
}
