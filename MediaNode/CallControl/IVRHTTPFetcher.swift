import AsyncHTTPClient
import Foundation
import IVREngine
import NIOCore
import NIOHTTP1

/// Performs an IVR flow's HTTP node: the tenant's self-service endpoint, with the node's timeout
/// and a response size limit. Any failure becomes input the flow branches on, never an error.
package struct IVRHTTPFetcher: Sendable {
    /// Larger responses are refused (the flow takes `onError`).
    package var maxResponseBytes = 256 * 1024
    let client: HTTPClient

    package init(client: HTTPClient = .shared) {
        self.client = client
    }

    package func perform(_ r: IVRHTTPRequest) async -> IVRInput {
        var request = HTTPClientRequest(url: r.url)
        request.method = HTTPMethod(rawValue: r.method.uppercased())
        for (name, value) in r.headers { request.headers.add(name: name, value: value) }
        if !request.headers.contains(name: "user-agent") { request.headers.add(name: "User-Agent", value: "callcenter-ivr/1") }
        if let body = r.body {
            request.body = .bytes(ByteBuffer(string: body))
            if !request.headers.contains(name: "content-type") { request.headers.add(name: "Content-Type", value: "application/json") }
        }
        let timeout = TimeAmount.seconds(Int64(max(1, r.timeoutSeconds)))
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return .httpResponse(status: Int(response.status.code), body: String(buffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .httpTimeout
        } catch {
            return .httpFailed(reason: "\(error)")
        }
    }
}
