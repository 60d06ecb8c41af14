import Foundation
import Hummingbird
import NIOCore

/// Bounds what a client may send (issue 13): a body is read up to the operation's limit within a
/// deadline, so a huge or endless body costs at most that much memory and time, and a body that
/// trickles in (slow "slowloris" uploads) is cut off. Slow headers are cut off by the HTTP
/// channel's idle timeout (`ControlPlaneConfiguration.idleTimeout`).
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Bytes a body may have, by path; the first matching prefix wins.
    static var limits: [(prefix: String, bytes: Int)] {
        [
            ("/v1/signup", 16 * 1024), ("/v1/auth/", 16 * 1024), ("/v1/node/register", 16 * 1024),
            ("/v1/node/cdrs", 8 * 1024 * 1024),  // up to 1,000 CDRs
            ("/v1/prompts/", 6 * 1024 * 1024),  // a WAV of up to 5 MB
            ("/v1/ivr/", 1024 * 1024),
        ]
    }
    /// Everything else.
    static var defaultLimit: Int { 256 * 1024 }

    let bodyDeadline: Duration

    static func limit(for path: String) -> Int {
        limits.first { path.hasPrefix($0.prefix) }?.bytes ?? defaultLimit
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, request.method != .delete else { return try await next(request, context) }
        let limit = Self.limit(for: request.uri.path)
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            return Self.problem(.contentTooLarge, "The request body is \(declared) bytes; \(request.uri.path) accepts at most \(limit).")
        }
        var request = request
        let body = request.body
        let collected: ByteBuffer
        do {
            collected = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: bodyDeadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let buffer = first else { throw BodyTimeout() }
                return buffer
            }
        } catch is NIOTooManyBytesError {
            return Self.problem(.contentTooLarge, "The request body is larger than \(limit) bytes, the most \(request.uri.path) accepts.")
        } catch is BodyTimeout {
            // The rest of the body may never come: answer and close rather than wait for it.
            var response = Self.problem(.requestTimeout, "The request body did not arrive within \(bodyDeadline); send it at once.")
            response.headers[.connection] = "close"
            return response
        }
        request.body = RequestBody(buffer: collected)
        return try await next(request, context)
    }

    struct BodyTimeout: Error {}

    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        let problem = ProblemDocument(status: status, code: ProblemType.http(status).code, detail: detail)
        return Response(status: status, headers: problem.headerFields, body: ResponseBody(byteBuffer: ByteBuffer(data: problem.encoded())))
    }
}
