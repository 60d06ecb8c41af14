import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    func nodeGetConfig(_ input: Operations.NodeGetConfig.Input) async throws -> Operations.NodeGetConfig.Output {
        throw ControlPlaneError(.unavailable, "Configuration snapshots are not served yet.")
    }

    func nodeUploadCdrs(_ input: Operations.NodeUploadCdrs.Input) async throws -> Operations.NodeUploadCdrs.Output {
        throw ControlPlaneError(.unavailable, "CDR ingestion is not available yet; keep CDRs spooled.")
    }

    func nodeUploadEvents(_ input: Operations.NodeUploadEvents.Input) async throws -> Operations.NodeUploadEvents.Output {
        throw ControlPlaneError(.unavailable, "Event ingestion is not available yet.")
    }

    func listCdrs(_ input: Operations.ListCdrs.Input) async throws -> Operations.ListCdrs.Output {
        throw ControlPlaneError(.unavailable, "CDR queries are not available yet.")
    }
}
