import EgressGuard
import Foundation
import HTTPTypes
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

/// The address the current request came from (its IP, no port), for OpenAPI handlers: the TCP peer,
/// or — when the peer is a trusted reverse proxy (`ControlPlaneConfiguration.trustedProxies`) — the
/// client the proxies name in `X-Forwarded-For`.
enum ClientAddress {
    @TaskLocal static var current: String?

    /// The most `X-Forwarded-For` entries looked at (from the right): proxies chains are short.
    static let maxForwardedEntries = 16

    /// The client of a request from `peer` carrying `forwardedFor` (the header's values in order).
    /// Walks the list from the right, past trusted proxies, to the first address that is not one;
    /// an entry that is not an IP address stops the walk at the last address vouched for, so a
    /// client behind the proxy cannot smuggle in an address of its choosing.
    static func resolve(peer: String?, forwardedFor: [String], trusted: [IPNetwork]) -> String {
        guard let peer else { return "unknown" }
        guard !trusted.isEmpty, let peerAddress = IPAddress(literal: peer), trusted.contains(where: { $0.contains(peerAddress) }) else {
            return peer
        }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }.suffix(maxForwardedEntries)
        var client = peer
        for entry in entries.reversed() {
            guard let address = IPAddress(literal: entry.trimmingCharacters(in: .whitespaces)) else { break }
            client = address.description
            if !trusted.contains(where: { $0.contains(address) }) { break }
        }
        return client
    }
}

struct ClientAddressMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let trustedProxies: [IPNetwork]
    static var forwardedFor: HTTPField.Name? { HTTPField.Name("X-Forwarded-For") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let forwarded = Self.forwardedFor.map { request.headers[values: $0] } ?? []
        let address = ClientAddress.resolve(peer: context.remoteAddress?.ipAddress, forwardedFor: forwarded, trusted: trustedProxies)
        return try await ClientAddress.$current.withValue(address) {
            try await next(request, context)
        }
    }
}
