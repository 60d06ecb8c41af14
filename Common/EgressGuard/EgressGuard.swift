import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// What outbound requests a tenant can aim (IVR HTTP nodes today; webhooks and CRM lookups next)
/// may reach. Defaults are for production; tests and lab deployments widen them explicitly.
public struct EgressPolicy: Sendable {
    /// URL schemes allowed. Default `https` only.
    public var allowedSchemes: Set<String> = ["https"]
    /// Destination ports allowed; nil allows any. Default 443 only.
    public var allowedPorts: Set<Int>? = [443]
    /// Networks reachable even though they are internal (an operator's lab, tests on loopback).
    public var exemptNetworks: [IPNetwork] = []
    /// Public addresses that are the platform's own (its API, nodes, database): refused too.
    public var deniedNetworks: [IPNetwork] = []
    /// Whole-request deadline. Default 10 s.
    public var timeout: Duration = .seconds(10)
    /// Larger responses are refused. Default 256 KiB.
    public var maxResponseBytes = 256 * 1024
    /// Longest URL accepted. Default 2,048 bytes.
    public var maxURLBytes = 2048

    public init() {}
}

/// Why the guard refused a destination (typed; the message says what to change).
public struct EgressRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "refused by the egress guard: \(reason)" }
}

/// Resolves host names for the guard (injected in tests: they never resolve names for real).
public protocol EgressResolver: Sendable {
    func addresses(of host: String) async throws -> [IPAddress]
}

/// `getaddrinfo` on NIO's blocking pool.
public struct SystemEgressResolver: EgressResolver {
    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { throw EgressRefusal("\(host) does not resolve") }
            defer { freeaddrinfo(first) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor, addresses.count < 64 {
                if let sa = entry.pointee.ai_addr {
                    switch Int32(sa.pointee.sa_family) {
                    case AF_INET:
                        let v4 = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                        if let a = withUnsafeBytes(of: v4, { IPAddress(bytes: Array($0)) }) { addresses.append(a) }
                    case AF_INET6:
                        let v6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                        if let a = withUnsafeBytes(of: v6, { IPAddress(bytes: Array($0)) }) { addresses.append(a) }
                    default: break
                    }
                }
                cursor = entry.pointee.ai_next
            }
            return addresses
        }
    }
}

/// A destination that passed the guard: connect to `address` only (pinned, so a second DNS
/// answer cannot move the request after the check — DNS rebinding).
public struct VettedDestination: Sendable, Hashable {
    public let url: URL
    public let host: String
    public let port: Int
    public let address: IPAddress
}

/// An outbound request and its answer.
public struct EgressRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Shorter than the policy's timeout when the caller has less time (an IVR node's own).
    public var timeout: Duration?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

public struct EgressResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
}

/// The one door for outbound requests a tenant can aim: checks the URL (scheme, no userinfo,
/// port), resolves the host once and refuses it when any address is internal (loopback, private,
/// link-local/metadata, CGNAT, ULA, carried IPv4 forms) or the platform's own, connects to the
/// vetted address only, never follows redirects (a 3xx is the answer), and bounds time and size.
public struct EgressGuard: Sendable {
    public let policy: EgressPolicy
    let resolver: any EgressResolver

    public init(policy: EgressPolicy = EgressPolicy(), resolver: any EgressResolver = SystemEgressResolver()) {
        self.policy = policy
        self.resolver = resolver
    }

    /// Checks `text` as a destination; throws the reason when it may not be reached.
    public func vet(_ text: String) async throws -> VettedDestination {
        guard text.utf8.count <= policy.maxURLBytes else { throw EgressRefusal("the URL is longer than \(policy.maxURLBytes) bytes") }
        guard let components = URLComponents(string: text), let url = components.url, let rawScheme = components.scheme else {
            throw EgressRefusal("not a URL: \(text.prefix(100))")
        }
        let scheme = rawScheme.lowercased()
        guard policy.allowedSchemes.contains(scheme) else {
            throw EgressRefusal("scheme \(scheme) is not allowed (use \(policy.allowedSchemes.sorted().joined(separator: " or ")))")
        }
        guard components.user == nil, components.password == nil else { throw EgressRefusal("user information in the URL is not allowed") }
        guard let host = components.host?.lowercased(), !host.isEmpty else { throw EgressRefusal("the URL has no host") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        if let allowed = policy.allowedPorts, !allowed.contains(port) {
            throw EgressRefusal("port \(port) is not allowed (allowed: \(allowed.sorted().map(String.init).joined(separator: ", ")))")
        }
        let addresses: [IPAddress]
        if let literal = IPAddress(literal: host) {
            addresses = [literal]
        } else {
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), host.utf8.count <= 253 else {
                throw EgressRefusal("\(host) is not a valid host name")
            }
            do {
                addresses = try await resolver.addresses(of: host)
            } catch {
                throw EgressRefusal("\(host) could not be resolved")
            }
        }
        guard let first = addresses.first else { throw EgressRefusal("\(host) has no address") }
        // Every address must be acceptable: the client could otherwise pick the internal one.
        for address in addresses {
            if let reason = refusal(for: address) { throw EgressRefusal("\(host) is \(address): \(reason)") }
        }
        return VettedDestination(url: url, host: host, port: port, address: first)
    }

    func refusal(for address: IPAddress) -> String? {
        let carried = address.embeddedIPv4
        if policy.exemptNetworks.contains(where: { $0.contains(address) || carried.map($0.contains) == true }) { return nil }
        if policy.deniedNetworks.contains(where: { $0.contains(address) || carried.map($0.contains) == true }) {
            return "an address of the platform itself"
        }
        return address.internalReason.map { "\($0) addresses are not reachable" }
    }

    /// Vets and performs `request`. Throws `EgressRefusal` for a refused destination or a response
    /// over the size limit; HTTP client errors (timeouts, refused connections) pass through.
    public func execute(_ request: EgressRequest) async throws -> EgressResponse {
        let destination = try await vet(request.url)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // Connect to the vetted address; TLS still verifies the certificate for the host name.
        configuration.dnsOverride = [destination.host: destination.address.description]
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await perform(request, client: client)
            try await client.shutdown()
            return response
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func perform(_ request: EgressRequest, client: HTTPClient) async throws -> EgressResponse {
        var outbound = HTTPClientRequest(url: request.url)
        outbound.method = HTTPMethod(rawValue: request.method.uppercased())
        for (name, value) in request.headers { outbound.headers.add(name: name, value: value) }
        if let body = request.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let limit = request.timeout.map { min($0, policy.timeout) } ?? policy.timeout
        let response = try await client.execute(outbound, timeout: TimeAmount(limit))
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: policy.maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw EgressRefusal("the response is larger than \(policy.maxResponseBytes) bytes")
        }
        var headers: [String: String] = [:]
        for (name, value) in response.headers.prefix(100) { headers[name.lowercased()] = value }
        return EgressResponse(status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }
}
