package import AsyncHTTPClient
package import ControlPlaneAPI
package import Foundation
import HTTPTypes
package import OpenAPIAsyncHTTPClient
package import NIOCore
package import OpenAPIRuntime

/// Builds the generated API client (`Client`, every operation of openapi.yaml) over AsyncHTTPClient:
/// the media node talks to the node channel with it, the control plane's `dev` command seeds the demo
/// tenant through the public API with it.
package struct ControlPlaneConnection: Sendable {
    package let serverURL: URL
    package let httpClient: HTTPClient
    /// Per-request deadline.
    package let timeout: TimeAmount

    package init(serverURL: URL, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.serverURL = serverURL
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The same server with another per-request deadline (long-polls outlast the default).
    package func withTimeout(_ timeout: TimeAmount) -> ControlPlaneConnection {
        ControlPlaneConnection(serverURL: serverURL, httpClient: httpClient, timeout: timeout)
    }

    /// A client without credentials (node registration, sign-up, login).
    package func anonymousClient() -> Client {
        makeClient(middlewares: [])
    }

    /// A client that sends `Authorization: Bearer <credential>`.
    package func client(credential: String) -> Client {
        makeClient(middlewares: [BearerTokenMiddleware(token: credential)])
    }

    private func makeClient(middlewares: [any ClientMiddleware]) -> Client {
        let transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: timeout))
        return Client(serverURL: serverURL, configuration: .callCenter,
                      transport: transport, middlewares: middlewares)
    }
}

/// Adds the bearer credential to every request.
struct BearerTokenMiddleware: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}
