import ControlPlaneAPI
import EgressGuard
import ControlPlanePostgres
import ControlPlaneWorkers
import OpenAPIRuntime
public import Foundation
public import Hummingbird
public import Logging
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import OpenAPIHummingbird
public import PostgresNIO
public import Prometheus
public import ServiceLifecycle

/// Builds the control-plane application. `main` and the tests both use this one function.
///
/// `postgres` must already be migrated (see `Migrator`) and connect as the RLS-bound `cc_app` role;
/// it is run as one of the application's services.
public func buildControlPlane(
    configuration: ControlPlaneConfiguration,
    postgres: PostgresClient,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    extraServices: [any Service] = [],
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
    logger: Logger
) async throws -> some ApplicationProtocol {
    let database = Database(client: postgres, logger: logger)
    let hasher = PasswordHasher(cost: configuration.bcryptCost)
    let eventHub = EventHub()
    let handler = APIHandler(
        database: database, configuration: configuration, hasher: hasher, metrics: metrics,
        unknownUserHash: try await hasher.makeUnknownUserHash(), eventHub: eventHub, baseLogger: logger)

    let router = Router(context: CallCenterRequestContext.self)
    var trustedProxies: [IPNetwork] = []
    for text in configuration.trustedProxies {
        guard let network = IPNetwork(text.trimmingCharacters(in: .whitespaces)) else {
            throw ControlPlaneConfigurationError(description: "trusted proxy '\(text)' is not an address or CIDR (e.g. 10.0.0.0/8)")
        }
        trustedProxies.append(network)
    }
    router.middlewares.add(ClientAddressMiddleware(trustedProxies: trustedProxies))
    router.middlewares.add(LogRequestsMiddleware(.info))
    router.middlewares.add(MetricsMiddleware())
    router.middlewares.add(HTTPProblemMiddleware())
    router.middlewares.add(RequestLimitsMiddleware(bodyDeadline: configuration.bodyDeadline))
    try handler.registerHandlers(on: router, configuration: .callCenter, middlewares: [
        ProblemMiddleware(logger: logger),
        AuthenticationMiddleware(authenticator: Authenticator(database: database)),
        SpecLimitsMiddleware(limits: try SpecLimits.bundled()),
        IdempotencyMiddleware(database: database),
        LocationHeaderMiddleware(),
    ])

    let liveness = NodeLivenessMonitor(database: database, downAfter: configuration.nodeDownAfter,
                                       interval: configuration.livenessSweepInterval, logger: logger)
    let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
    addEventStream(to: webSocketRouter, hub: eventHub, authenticator: Authenticator(database: database),
                   recheck: configuration.eventStreamRecheck, maxSubscribers: configuration.maxEventStreamsPerTenant)
    let webSocketResponder = webSocketRouter.buildResponder()
    let idle = TimeAmount(configuration.idleTimeout)

    var app = Application(
        router: router,
        server: HTTPServerBuilder { responder in
            // Slow clients: the first request head must arrive within the idle timeout, later ones
            // within the idle timeout after the previous response (Hummingbird's own timer).
            FirstRequestDeadlineChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                   configuration: .init(http1: .init(idleTimeout: idle))),
                deadline: idle)
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "call-center"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    let partitions = CDRPartitionMaintenance(database: database, logger: logger)
    app.addServices(postgres, liveness, partitions, IdempotencyKeyExpiry(database: database, logger: logger))
    app.addServices(extraServices)
    return app
}

/// A setting the control plane cannot start with.
public struct ControlPlaneConfigurationError: Error, CustomStringConvertible {
    public var description: String
}
