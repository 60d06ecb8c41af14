import ControlPlaneCore
import Foundation

/// A tenant's IVR flow versions and aliases: `IVRRepository`, bound to the transaction and tenant.
struct PostgresIVRStore: IVRStore {
    let tx: Transaction
    let tenantID: UUID

    func queueKeys() async throws -> Set<String> { try await IVRRepository.queueKeys(tx, tenantID: tenantID) }
    func createVersion(flowName: String, definition: String) async throws -> IVRFlowVersionRecord {
        try await IVRRepository.createVersion(tx, tenantID: tenantID, flowName: flowName, definition: definition)
    }
    func get(flowName: String, version: Int) async throws -> IVRFlowVersionRecord? {
        try await IVRRepository.get(tx, tenantID: tenantID, flowName: flowName, version: version)
    }
    func list(flowName: String, limit: Int, afterVersion: Int) async throws -> [IVRFlowVersionRecord] {
        try await IVRRepository.list(tx, tenantID: tenantID, flowName: flowName, limit: limit, afterVersion: afterVersion)
    }
    func listAliases() async throws -> [IVRAliasRecord] { try await IVRRepository.listAliases(tx, tenantID: tenantID) }
    func getAlias(_ alias: String) async throws -> IVRAliasRecord? { try await IVRRepository.getAlias(tx, tenantID: tenantID, alias: alias) }
    func publish(alias: String, flowName: String, version: Int) async throws -> IVRAliasRecord {
        try await IVRRepository.publish(tx, tenantID: tenantID, alias: alias, flowName: flowName, version: version)
    }
    func rollback(alias: String) async throws -> IVRAliasRecord? { try await IVRRepository.rollback(tx, tenantID: tenantID, alias: alias) }
}
