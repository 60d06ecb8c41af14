import CallCenterModel
import Foundation

/// A tenant's IVR flow versions and aliases (inside the caller's transaction).
public protocol IVRStore: Sendable {
    /// The names and ids a flow may send calls to.
    func queueKeys() async throws -> Set<String>
    /// Stores the next version of the flow (1 for a new flow).
    func createVersion(flowName: String, definition: String) async throws -> IVRFlowVersionRecord
    func get(flowName: String, version: Int) async throws -> IVRFlowVersionRecord?
    /// Up to `limit` versions after `afterVersion`, oldest first.
    func list(flowName: String, limit: Int, afterVersion: Int) async throws -> [IVRFlowVersionRecord]
    func listAliases() async throws -> [IVRAliasRecord]
    func getAlias(_ alias: String) async throws -> IVRAliasRecord?
    /// Throws `.notFound` when the version does not exist.
    func publish(alias: String, flowName: String, version: Int) async throws -> IVRAliasRecord
    /// nil when there is no such alias.
    func rollback(alias: String) async throws -> IVRAliasRecord?
}

/// IVR flows: immutable, validated versions, and aliases (what numbers point at) published to a version.
public struct IVRUseCases: Sendable {
    let work: any UnitOfWork

    public init(work: any UnitOfWork) {
        self.work = work
    }

    /// Stores `flow` as the next version of `flowName`. `flow` is the request's flow as decoded
    /// (its decoding error is reported after the name is checked).
    public func createVersion(tenantID: UUID, flowName: String, flow: Result<IVRFlow, any Error>) async throws -> IVRFlowVersionRecord {
        try InputValidation.check([InputValidation.skillName(flowName, field: "flowName")])
        let flow = try flow.get()
        return try await work.inTenant(tenantID) { stores in
            let issues = IVRFlowValidator.validate(flow, knownQueues: try await stores.ivr.queueKeys())
            if !issues.isEmpty { throw ControlPlaneError.validation(issues.map(\.validationIssue)) }
            return try await stores.ivr.createVersion(flowName: flowName, definition: try flow.canonicalJSON())
        }
    }

    /// A page of the flow's versions, oldest first; the cursor is the last version seen.
    public func listVersions(tenantID: UUID, flowName: String, limit: Int?,
                             cursor: String?) async throws -> (items: [IVRFlowVersionRecord], nextCursor: String?) {
        let limit = limit ?? 50
        guard (1...200).contains(limit) else { throw ControlPlaneError(.badRequest, "limit must be between 1 and 200.") }
        let after: Int
        if let cursor {
            guard let version = Int(cursor), version >= 0 else {
                throw ControlPlaneError(.badRequest, "cursor is not one this API returned; pass nextCursor unchanged.")
            }
            after = version
        } else {
            after = 0
        }
        let records = try await work.inTenant(tenantID) { try await $0.ivr.list(flowName: flowName, limit: limit + 1, afterVersion: after) }
        let page = Array(records.prefix(limit))
        return (page, records.count > limit ? page.last.map { String($0.version) } : nil)
    }

    public func version(tenantID: UUID, flowName: String, version: Int) async throws -> IVRFlowVersionRecord {
        guard let record = try await work.inTenant(tenantID, { try await $0.ivr.get(flowName: flowName, version: version) }) else {
            throw ControlPlaneError(.notFound, "Flow '\(flowName.prefix(64))' has no version \(version) in your tenant.")
        }
        return record
    }

    /// The flow of a stored version (to simulate it).
    public func flow(tenantID: UUID, flowName: String, version: Int) async throws -> IVRFlow {
        let record = try await self.version(tenantID: tenantID, flowName: flowName, version: version)
        return try JSONDecoder().decode(IVRFlow.self, from: Data(record.definition.utf8))
    }

    public func listAliases(tenantID: UUID) async throws -> [IVRAliasRecord] {
        try await work.inTenant(tenantID) { try await $0.ivr.listAliases() }
    }

    public func alias(tenantID: UUID, alias: String) async throws -> IVRAliasRecord {
        guard let record = try await work.inTenant(tenantID, { try await $0.ivr.getAlias(alias) }) else { throw Self.noSuchAlias(alias) }
        return record
    }

    public func publish(tenantID: UUID, alias: String, flowName: String, version: Int) async throws -> IVRAliasRecord {
        try InputValidation.check([InputValidation.skillName(alias, field: "alias"), InputValidation.skillName(flowName, field: "flowName")])
        return try await work.inTenant(tenantID) { try await $0.ivr.publish(alias: alias, flowName: flowName, version: version) }
    }

    /// Points the alias back at the version it had before the last publish.
    public func rollback(tenantID: UUID, alias: String) async throws -> IVRAliasRecord {
        guard let record = try await work.inTenant(tenantID, { try await $0.ivr.rollback(alias: alias) }) else { throw Self.noSuchAlias(alias) }
        return record
    }

    static func noSuchAlias(_ alias: String) -> ControlPlaneError {
        ControlPlaneError(.notFound, "No IVR alias '\(alias.prefix(64))' exists in your tenant.")
    }
}

extension IVRFlow {
    /// The flow's JSON with sorted keys: what is stored and sent to nodes.
    public func canonicalJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
