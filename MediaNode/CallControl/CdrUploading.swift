import ControlPlaneAPI
import ControlPlaneClient

/// Where the shipper sends CDR batches: the node channel in production (`NodeChannelCdrUploader`).
package protocol CdrUploading: Sendable {
    /// POST one batch; returns what happened to each id. Throws when the request failed as a whole.
    func upload(_ batch: [CdrSpool.Cdr]) async throws -> Components.Schemas.CdrBatchResult
}

/// Uploads with the node credential through the generated client (POST /v1/node/cdrs).
package struct NodeChannelCdrUploader: CdrUploading {
    let clientProvider: @Sendable () async -> Client?

    /// `clientProvider` returns the authenticated client, e.g. `{ await channel.authenticatedClient() }`.
    package init(clientProvider: @escaping @Sendable () async -> Client?) {
        self.clientProvider = clientProvider
    }

    package func upload(_ batch: [CdrSpool.Cdr]) async throws -> Components.Schemas.CdrBatchResult {
        guard let client = await clientProvider() else { throw ControlPlaneClientError.notRegistered }
        switch try await client.nodeUploadCdrs(body: .json(.init(cdrs: batch))) {
        case .ok(let ok):
            return try ok.body.json
        case .badRequest(let response):
            throw ControlPlaneClientError.unexpectedStatus(400, response.problem?.detail ?? "HTTP 400")
        case .unauthorized(let response):
            throw ControlPlaneClientError.unexpectedStatus(401, response.problem?.detail ?? "HTTP 401")
        case .forbidden(let response):
            throw ControlPlaneClientError.unexpectedStatus(403, response.problem?.detail ?? "HTTP 403")
        case .contentTooLarge(let response):
            throw ControlPlaneClientError.unexpectedStatus(413, response.problem?.detail ?? "HTTP 413")
        case .unprocessableContent(let response):
            throw ControlPlaneClientError.unexpectedStatus(422, response.problem?.detail ?? "HTTP 422")
        case .default(let status, let problem):
            throw ControlPlaneClientError.unexpectedStatus(status, problem.detailText ?? "HTTP \(status)")
        }
    }
}
