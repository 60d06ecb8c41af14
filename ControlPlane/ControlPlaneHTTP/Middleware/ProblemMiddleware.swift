import ControlPlaneCore
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// Outermost OpenAPI middleware: every error leaving an operation (authentication, request decoding,
/// handlers) becomes an RFC 9457 problem. Unexpected errors are logged and reported as 500 without
/// internals.
struct ProblemMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let problem = problem(for: error, operationID: operationID)
            var response = HTTPResponse(status: problem.httpStatus)
            response.headerFields = problem.headerFields
            return (response, HTTPBody(problem.encoded()))
        }
    }

    func problem(for error: any Error, operationID: String) -> ProblemDocument {
        let underlying = (error as? ServerError)?.underlyingError ?? error
        if let error = underlying as? ControlPlaneError { return ProblemDocument(error) }
        if let problem = underlying as? HTTPLayerProblem {
            return ProblemDocument(status: problem.type.status, code: problem.type.code, detail: problem.detail)
        }
        if case .dataCorrupted(let context)? = underlying as? DecodingError, context.codingPath.isEmpty {
            return ProblemDocument(status: .badRequest, code: "bad-request",
                                   detail: "The request body is not valid JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
        }
        if let error = underlying as? DecodingError {
            return ProblemDocument(ControlPlaneError.validation([error.validationIssue(root: "")]))
        }
        if let serverError = error as? ServerError, serverError.operationInput == nil {
            // The request could not be turned into the operation's input: wrong content type,
            // missing body, unparsable parameters.
            return ProblemDocument(status: .badRequest, code: "bad-request",
                                   detail: "The request does not match the API description: \(serverError.causeDescription) (\(underlying)).")
        }
        (RequestLogger.current ?? logger).error("unhandled error", metadata: ["operation": "\(operationID)", "error": "\(underlying)"])
        return ProblemDocument(status: .internalServerError, code: ProblemType.internal.code,
                               detail: "The server failed to handle this request; it was logged. Retry later or contact support.")
    }
}

/// Resolves the bearer credential for every operation except the public ones and runs the
/// operation with the principal in `RequestPrincipal.current`.
struct AuthenticationMiddleware: ServerMiddleware {
    let authenticator: Authenticator
    static let publicOperations: Set<String> = ["getHealth", "getReadiness", "getMetrics", "signup", "login", "nodeRegister",
                                                "getOpenApiDocument", "listProblemTypes", "getProblemType"]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if Self.publicOperations.contains(operationID) { return try await next(request, body, metadata) }
        let logger = RequestLogger.current ?? Logger(label: "auth")
        let principal: Principal
        if operationID == "getEvents" {
            // The event stream's credential rules (header or subprotocol, never the URL), so a refused
            // handshake that falls through to this route gets the same answer the upgrade would have.
            let query = request.path.flatMap { URLComponents(string: $0)?.queryItems } ?? []
            let authorization = try EventStreamAdmission.authorization(
                tokenInQuery: query.contains { $0.name == "token" }, header: request.headerFields[.authorization],
                offeredProtocols: request.headerFields[values: .secWebSocketProtocol])
            principal = try await authenticator.authenticate(authorization: authorization, logger: logger)
        } else {
            principal = try await authenticator.authenticate(authorization: request.headerFields[.authorization], logger: logger)
        }
        var scoped = logger
        if let tenant = principal.tenantID { scoped[metadataKey: "tenant"] = "\(tenant)" }
        return try await RequestPrincipal.$current.withValue(principal) {
            try await RequestLogger.$current.withValue(scoped) { try await next(request, body, metadata) }
        }
    }
}
