import Foundation
import Hummingbird
import Logging

/// Router-level middleware: exposes the request logger (with its request id) to OpenAPI handlers and
/// turns Hummingbird's own errors (unknown route, wrong method, body too large) into problems.
struct HTTPProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await RequestLogger.$current.withValue(context.logger) { try await next(request, context) }
        } catch let error as any HTTPResponseError {
            let detail: String = switch error.status {
            case .notFound: "There is no route \(request.method) \(request.uri.path); see openapi.yaml for the API."
            case .methodNotAllowed: "\(request.method) is not allowed on \(request.uri.path)."
            case .contentTooLarge: "The request body is too large."
            default: (error as? HTTPError)?.body ?? "The request could not be handled."
            }
            let problem = ProblemDocument(status: error.status, code: ProblemType.http(error.status).code, detail: detail)
            return Response(status: error.status, headers: problem.headerFields,
                            body: ResponseBody(byteBuffer: ByteBuffer(data: problem.encoded())))
        }
    }
}
