import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// `Idempotency-Key` on creating POSTs (issue 13, draft-ietf-httpapi-idempotency-key-header). Runs
/// after authentication, so keys belong to a principal (a user or an API key; platform staff too):
/// another credential's key is never replayed to it, and a replay returns only what that principal
/// was answered before.
///
/// The first request with a key claims it (`IdempotencyKeyRepository`, in the principal's tenant)
/// with a SHA-256 fingerprint of method, path and body, then runs. A 2xx answer is stored for 24
/// hours: status, `Location`, `Content-Type` and body (up to `maxStoredBodyBytes`); a failure releases
/// the key (nothing was created; a retry runs again). A repeat with the same request gets the stored
/// answer without running the operation; with a different request 422; while the first runs 409.
/// Answers that show a secret once (API key, SIP secret, bootstrap token) or are larger than the bound
/// are not stored: a repeat gets 409 with the created resource's `Location`.
struct IdempotencyMiddleware: ServerMiddleware {
    /// Operations that accept the header (openapi.yaml declares it on exactly these; `ContractTests` checks).
    static let operations: Set<String> = [
        "createUser", "createApiKey", "createSkill", "createAgent", "createAgentGroup", "createQueue",
        "createIvrFlowVersion", "platformAddNumber", "platformCreateBootstrapToken",
    ]
    /// Their answers carry a secret shown once: not stored, not replayed.
    static let secretBearing: Set<String> = ["createApiKey", "createAgent", "platformCreateBootstrapToken"]

    static let headerName = HTTPField.Name("Idempotency-Key")!
    static let maxKeyLength = 255
    /// The most response body bytes stored for a replay (the migration's CHECK has the same bound).
    static let maxStoredBodyBytes = 64 * 1024
    /// Bodies are already bounded by `RequestLimitsMiddleware`; this only caps the fingerprint's read.
    static let maxRequestBytes = 8 * 1024 * 1024

    let database: Database
    var retention: Duration = .seconds(24 * 3600)
    /// An in-flight claim older than this belongs to a request that died with its process.
    var abandonedAfter: Duration = .seconds(120)

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard Self.operations.contains(operationID), let raw = request.headerFields[Self.headerName] else {
            return try await next(request, body, metadata)
        }
        let key = try Self.parseKey(raw)
        let principal = try RequestPrincipal.require()
        guard let owner = Self.owner(principal) else { return try await next(request, body, metadata) }
        var bytes = Data()
        if let body { bytes = try await Data(collecting: body, upTo: Self.maxRequestBytes) }
        let fingerprint = IdempotencyFingerprint.of(method: request.method.rawValue, path: request.path ?? "", body: bytes)
        let logger = RequestLogger.current ?? database.logger
        let (retention, abandonedAfter) = (self.retention, self.abandonedAfter)

        let claim = try await scoped(principal) { tx in
            try await IdempotencyKeyRepository.claim(tx, principal: owner, key: key, tenantID: principal.tenantID, fingerprint: fingerprint,
                                                     retention: retention, abandonedAfter: abandonedAfter)
        }
        switch claim {
        case .mismatch:
            throw ControlPlaneError(.validationFailed, "This Idempotency-Key was already used with a different request (method, path or body) "
                                        + "in the last 24 hours. Send the original request again, or use a new key for a new request.",
                                    issues: [.init(field: "Idempotency-Key", message: "already used with a different request")])
        case .inFlight:
            throw ControlPlaneError(.conflict, "A request with this Idempotency-Key is still being processed; wait for its answer, "
                                        + "then retry to get it again.")
        case .completed(let stored):
            guard let storedBody = stored.body else {
                throw ControlPlaneError(.conflict, "A request with this Idempotency-Key already succeeded"
                                            + (stored.location.map { " and created \($0)" } ?? "")
                                            + "; its answer is not replayed (it showed a secret once or was too large to keep). "
                                            + "GET the created resource instead, or use a new key for a new request.")
            }
            var response = HTTPResponse(status: .init(code: stored.status))
            if let location = stored.location { response.headerFields[.location] = location }
            if let type = stored.contentType { response.headerFields[.contentType] = type }
            logger.info("idempotent replay", metadata: ["operation": "\(operationID)"])
            return (response, HTTPBody(storedBody))
        case .claimed:
            break
        }

        let (response, responseBody): (HTTPResponse, HTTPBody?)
        do {
            (response, responseBody) = try await next(request, HTTPBody(bytes), metadata)
        } catch {
            await release(principal, owner: owner, key: key, logger: logger)
            throw error
        }
        guard (200..<300).contains(response.status.code) else {
            await release(principal, owner: owner, key: key, logger: logger)
            return (response, responseBody)
        }
        // The generated server has encoded the answer in memory already; one larger than the bound is
        // answered but not stored.
        var collected: Data?
        if let responseBody { collected = try await Data(collecting: responseBody, upTo: Self.maxRequestBytes) }
        let replayable = (collected?.count ?? 0) <= Self.maxStoredBodyBytes && !Self.secretBearing.contains(operationID)
        let stored = IdempotencyKeyRepository.StoredResponse(
            status: response.status.code, location: response.headerFields[.location],
            contentType: response.headerFields[.contentType], body: replayable ? (collected ?? Data()) : nil)
        do {
            try await scoped(principal) { tx in
                try await IdempotencyKeyRepository.complete(tx, principal: owner, key: key, response: stored)
            }
        } catch {
            // The resource exists; the client has its answer. Without the record a retry would create
            // another, so say so in the log, but answer what happened.
            logger.error("could not record an idempotency key's answer", metadata: ["operation": "\(operationID)", "error": "\(error)"])
        }
        return (response, collected.map { HTTPBody($0) })
    }

    /// The key as sent: a bare token or an RFC 8941 string (`"..."`), 1–255 visible ASCII characters.
    static func parseKey(_ raw: String) throws(ControlPlaneError) -> String {
        var key = raw.trimmingCharacters(in: .whitespaces)
        if key.count >= 2, key.hasPrefix("\""), key.hasSuffix("\"") { key = String(key.dropFirst().dropLast()) }
        guard !key.isEmpty else {
            throw ControlPlaneError(.badRequest, "The Idempotency-Key header is empty; send 1–255 characters, e.g. a new UUID per request.")
        }
        guard key.utf8.count <= maxKeyLength else {
            throw ControlPlaneError(.badRequest, "The Idempotency-Key is \(key.utf8.count) bytes; it may have at most \(maxKeyLength) (a UUID is 36).")
        }
        guard key.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }) else {
            throw ControlPlaneError(.badRequest, "The Idempotency-Key may contain only visible ASCII characters (no quotes or backslashes).")
        }
        return key
    }

    static func owner(_ principal: Principal) -> String? {
        switch principal.kind {
        case .user(let id, _, _): "user:\(id.uuidString.lowercased())"
        case .apiKey(let id, _): "key:\(id.uuidString.lowercased())"
        case .node: nil
        }
    }

    private func scoped<Result: Sendable>(_ principal: Principal, _ body: (Transaction) async throws -> Result) async throws -> Result {
        if let tenant = principal.tenantID { return try await database.tenant(tenant, body) }
        return try await database.platform(body)
    }

    private func release(_ principal: Principal, owner: String, key: String, logger: Logger) async {
        do {
            try await scoped(principal) { tx in try await IdempotencyKeyRepository.release(tx, principal: owner, key: key) }
        } catch {
            logger.error("could not release an idempotency key; it frees itself when abandoned", metadata: ["error": "\(error)"])
        }
    }
}
