import Hummingbird
import NIOCore

/// The request context of the control plane's router: Hummingbird's basic context plus the peer
/// address of the connection, which login throttling keys on.
struct CallCenterRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// The address the current request came from (its IP, no port), for OpenAPI handlers.
///
/// It is the TCP peer: behind a reverse proxy every request would share the proxy's address, so
/// a deployment behind one must terminate throttling there or teach this middleware which proxies
/// to trust for `X-Forwarded-For` (not done: the control plane is served directly today).
enum ClientAddress {
    @TaskLocal static var current: String?
}

struct ClientAddressMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await ClientAddress.$current.withValue(context.remoteAddress?.ipAddress ?? "unknown") {
            try await next(request, context)
        }
    }
}
