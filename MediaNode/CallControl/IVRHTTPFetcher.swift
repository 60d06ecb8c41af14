import AsyncHTTPClient
import EgressGuard
import Foundation
import IVREngine

/// Performs an IVR flow's HTTP node: the tenant's self-service endpoint, through the egress guard
/// (https to a public address only, no redirects, the platform's own addresses refused), with the
/// node's timeout and the guard's response size limit. Any failure becomes input the flow
/// branches on, never an error.
package struct IVRHTTPFetcher: Sendable {
    let egress: EgressGuard

    package init(egress: EgressGuard = EgressGuard()) {
        self.egress = egress
    }

    package func perform(_ r: IVRHTTPRequest) async -> IVRInput {
        var headers = r.headers.map { ($0.key, $0.value) }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) { headers.append(("User-Agent", "callcenter-ivr/1")) }
        if r.body != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", "application/json")) }
        let request = EgressRequest(method: r.method, url: r.url, headers: headers, body: r.body.map { Array($0.utf8) },
                                    timeout: .seconds(max(1, r.timeoutSeconds)))
        do {
            let response = try await egress.execute(request)
            return .httpResponse(status: response.status, body: String(decoding: response.body, as: UTF8.self))
        } catch let refusal as EgressRefusal {
            return .httpFailed(reason: refusal.description)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .httpTimeout
        } catch {
            return .httpFailed(reason: "\(error)")
        }
    }
}
