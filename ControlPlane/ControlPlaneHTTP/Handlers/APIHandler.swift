import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation
import Logging
import Prometheus

/// Implements the generated `APIProtocol`, one `APIHandler+<Tag>.swift` per OpenAPI tag.
struct APIHandler: APIProtocol {
    let database: Database
    let configuration: ControlPlaneConfiguration
    let hasher: PasswordHasher
    let metrics: PrometheusCollectorRegistry
    let unknownUserHash: String
    let eventHub: EventHub
    /// Wakes nodes' long-polls for agent commands.
    let agentCommandSignal = WakeSignal()
    let baseLogger: Logger

    /// The request's logger (carries the request id), or the service logger.
    var logger: Logger { RequestLogger.current ?? baseLogger }

    /// Parses a path or body id; a malformed one is a 400 naming the field.
    func uuid(_ text: String, field: String) throws(ControlPlaneError) -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw ControlPlaneError(.badRequest, "\(field) '\(text.prefix(64))' is not a UUID.")
        }
        return id
    }

    func optionalUUID(_ text: String?, field: String) throws(ControlPlaneError) -> UUID? {
        guard let text else { return nil }
        return try uuid(text, field: field)
    }
}

/// The Hummingbird request logger, made visible to OpenAPI handlers.
enum RequestLogger {
    @TaskLocal static var current: Logger?
}
