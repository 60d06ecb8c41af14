import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The node's operations listener (loopback by default, never the SIP address): `/healthz` (the
/// process answers), `/readyz` (200 when it can take calls, else 503 naming what is missing) and
/// `/metrics` (Prometheus text).
enum AdminServer {
    static func make(host: String, port: Int, health: NodeHealth, metrics: NodeMetrics, registry: PrometheusCollectorRegistry,
                     logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> any Service {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            json(.ok, ["status": "ok"])
        }
        router.get("/readyz") { _, _ -> Response in
            let report = await health.check()
            guard !report.ready else { return json(.ok, ["status": "ready"]) }
            var detail: [String: String] = [:]
            for p in report.problems { detail[p.check] = p.detail }
            return json(.serviceUnavailable, ["status": "not ready", "notReady": report.problems.map(\.check), "detail": detail])
        }
        router.get("/metrics") { _, _ -> Response in
            await metrics.refresh()
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
                           onServerRunning: { channel in
                               let bound = channel.localAddress?.port ?? port
                               logger.info("admin listening", metadata: ["admin": "http://\(host):\(bound)", "paths": "/healthz /readyz /metrics"])
                               await onRunning(bound)
                           },
                           logger: logger)
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
