import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Crypto
import Foundation

extension APIHandler {
    func requireNode() throws(ControlPlaneError) -> UUID {
        guard case .node(let id) = try RequestPrincipal.require().kind else {
            throw ControlPlaneError(.forbidden, "Node routes accept node credentials only.")
        }
        return id
    }

    func nodeGetConfig(_ input: Operations.NodeGetConfig.Input) async throws -> Operations.NodeGetConfig.Output {
        let nodeID = try requireNode()
        let known = input.query.ifNewerThan
        let result: (Int64, [TenantSnapshotRecord])? = try await database.platform { tx in
            try await PlacementRepository.placeUnhomed(tx)
            let version = try await PlacementRepository.configVersion(tx, nodeID: nodeID)
            if let known, known >= version { return nil }
            var snapshots: [TenantSnapshotRecord] = []
            for tenant in try await PlacementRepository.tenants(tx, nodeID: nodeID) {
                snapshots.append(try await SnapshotRepository.snapshot(tx, tenant: tenant))
            }
            return (version, snapshots)
        }
        guard let (version, snapshots) = result else { return .noContent(.init()) }
        return .ok(.init(body: .json(.init(version: version, generatedAt: Date(), tenants: try snapshots.map(Components.Schemas.TenantSnapshot.init)))))
    }

    func nodeUploadCdrs(_ input: Operations.NodeUploadCdrs.Input) async throws -> Operations.NodeUploadCdrs.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let logger = self.logger
        let formerHomeSince = Date().addingTimeInterval(-TimeInterval(configuration.nodeFormerHomeWindow.components.seconds))
        let windowHours = Self.hours(configuration.nodeFormerHomeWindow)
        let checked = CDRBatchValidation(body.cdrs, nodeID: nodeID, specIssues: SpecLimits.currentItemIssues["cdrs"] ?? [:])
        // One transaction for the batch (issue 13): which tenants the node may write for, which exist,
        // then every valid CDR in one statement (CDRRepository.ingestBatch).
        let outcomes: [CDRBatchOutcome] = try await database.platform { tx in
            let writable = try await PlacementRepository.writableTenants(tx, nodeID: nodeID, formerHomeSince: formerHomeSince)
            let existing = try await CDRRepository.existingTenants(tx, Set(checked.rows.map(\.tenantID)))
            var verdicts = checked.verdicts
            var accepted: [(index: Int, row: CDRRow)] = []
            for (index, row) in zip(checked.rowIndices, checked.rows) {
                if !writable.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.wire) is not homed on this node (nor was it within \(windowHours) h); a node uploads CDRs only for its own tenants")
                } else if !existing.contains(row.tenantID) {
                    verdicts[index] = .refused("tenant \(row.tenantID.wire) does not exist")
                } else {
                    accepted.append((index, row))
                }
            }
            let stored = try await CDRRepository.ingestBatch(tx, accepted.map(\.row))
            for (entry, outcome) in zip(accepted, stored) { verdicts[entry.index] = outcome }
            return verdicts.map { $0 ?? .refused("not processed") }
        }
        var stored: [String] = [], duplicates: [String] = []
        var rejected: [Components.Schemas.CdrBatchResult.RejectedPayloadPayload] = []
        for (cdr, outcome) in zip(body.cdrs, outcomes) {
            switch outcome {
            case .stored: stored.append(cdr.id)
            case .duplicate: duplicates.append(cdr.id)
            case .conflicting: rejected.append(.init(id: cdr.id, detail: "a different CDR with this id is already stored; keep this one for inspection"))
            case .refused(let reason): rejected.append(.init(id: cdr.id, detail: reason))
            }
        }
        if !rejected.isEmpty { logger.warning("CDRs rejected", metadata: ["node": "\(nodeID)", "count": "\(rejected.count)"]) }
        return .ok(.init(body: .json(.init(stored: stored, duplicates: duplicates, rejected: rejected))))
    }

    func nodeUploadEvents(_ input: Operations.NodeUploadEvents.Input) async throws -> Operations.NodeUploadEvents.Output {
        let nodeID = try requireNode()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        var events: [(UUID, Components.Schemas.NodeEvent)] = []
        for event in body.events {
            guard let tenant = UUID(uuidString: event.tenantId) else {
                throw ControlPlaneError.invalid("events.tenantId", "must be a UUID")
            }
            events.append((tenant, event))
        }
        // Events for tenants this node does not home (nor homed recently) are dropped, not fanned out.
        let writable = try await writableTenants(nodeID: nodeID)
        var dropped = 0
        for (tenant, event) in events {
            guard writable.contains(tenant) else { dropped += 1; continue }
            await eventHub.publish(tenantID: tenant, payload: try CDRDocument.encoder.encode(event))
        }
        if dropped > 0 { logger.warning("events for tenants not homed on the node dropped", metadata: ["node": "\(nodeID)", "count": "\(dropped)"]) }
        logger.debug("events published", metadata: ["node": "\(nodeID)", "count": "\(body.events.count - dropped)"])
        return .accepted(.init())
    }

    /// The tenants `nodeID` may write for: homed on it now, or within `nodeFormerHomeWindow`.
    func writableTenants(nodeID: UUID) async throws -> Set<UUID> {
        let since = Date().addingTimeInterval(-TimeInterval(configuration.nodeFormerHomeWindow.components.seconds))
        return try await database.platform { tx in
            try await PlacementRepository.writableTenants(tx, nodeID: nodeID, formerHomeSince: since)
        }
    }

    static func hours(_ duration: Duration) -> Int { Int(duration.components.seconds / 3600) }

    func listCdrs(_ input: Operations.ListCdrs.Input) async throws -> Operations.ListCdrs.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let q = input.query
        let filter = CDRFilter(from: q.from, to: q.to, number: q.number, queueID: try optionalUUID(q.queueId, field: "queueId"),
                               agentID: try optionalUUID(q.agentId, field: "agentId"), disposition: q.disposition?.rawValue)
        let result = try await database.tenant(tenantID) { tx in
            try await CDRRepository.list(tx, tenantID: tenantID, filter: filter, page: page)
        }
        let items = try result.items.map { try CDRDocument.decoder.decode(Components.Schemas.Cdr.self, from: Data($0.utf8)) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: result.nextCursor))))
    }
}

/// JSON for stored CDR documents and events: sorted keys and RFC 3339 times with milliseconds, so the
/// same CDR always has the same bytes (its content hash) and nothing is lost on the way back.
enum CDRDocument {
    /// The path of the first string in `value` that contains U+0000, e.g. `caller` or `events[2].detail`.
    static func fieldWithNUL(in value: Any, path: String = "") -> String? {
        if let text = value as? String { return text.utf8.contains(0) ? (path.isEmpty ? "value" : path) : nil }
        let mirror = Mirror(reflecting: value)
        for (index, child) in mirror.children.enumerated() {
            let name: String
            switch mirror.displayStyle {
            case .optional: name = path
            case .collection, .set: name = "\(path)[\(index)]"
            case .dictionary, .tuple: name = path  // a map entry: key and value
            default: name = (child.label.map { path.isEmpty ? $0 : "\(path).\($0)" } ?? path)
            }
            if let found = fieldWithNUL(in: child.value, path: name) { return found.replacingOccurrences(of: "._", with: ".") }
        }
        return nil
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) {
                return date
            }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
        }
        return decoder
    }()
}

/// The checks a CDR must pass before it goes to the database, each refusal with its reason: no NUL
/// characters (PostgreSQL's text cannot hold U+0000), ids that are UUIDs, times PostgreSQL can store with
/// the end not before the start, and an id not already given earlier in the same batch.
struct CDRBatchValidation {
    /// Per CDR of the batch: nil while still to be stored, else the verdict.
    var verdicts: [CDRBatchOutcome?] = []
    /// The CDRs that passed, with their positions in the batch.
    var rows: [CDRRow] = []
    var rowIndices: [Int] = []

    /// The range of times a CDR may carry (PostgreSQL stores far more; these are sane call times).
    static let earliest = Date(timeIntervalSince1970: 0)
    static let latest = Date(timeIntervalSince1970: 253_402_300_799)  // 9999-12-31T23:59:59Z

    /// `specIssues`: CDRs (by index) that break a bound of the `Cdr` schema (`SpecLimits`, per item).
    init(_ cdrs: [Components.Schemas.Cdr], nodeID: UUID, specIssues: [Int: [ValidationIssue]] = [:]) {
        var seen: [UUID: String] = [:]  // id → content hash, for repeats within the batch
        for (index, var cdr) in cdrs.enumerated() {
            cdr.nodeId = nil  // not part of the content: the same call re-sent by a restarted node is the same CDR
            if let issues = specIssues[index], !issues.isEmpty {
                verdicts.append(.refused(issues.prefix(3).map(\.description).joined(separator: "; ")))
                continue
            }
            if let field = CDRDocument.fieldWithNUL(in: cdr) {
                verdicts.append(.refused("\(field) contains a NUL character (U+0000), which cannot be stored"))
                continue
            }
            guard (Self.earliest...Self.latest).contains(cdr.startedAt), (Self.earliest...Self.latest).contains(cdr.endedAt) else {
                verdicts.append(.refused("startedAt and endedAt must be between 1970 and 9999"))
                continue
            }
            guard cdr.endedAt >= cdr.startedAt else {
                verdicts.append(.refused("endedAt is before startedAt"))
                continue
            }
            guard let row = try? CDRRow(cdr, nodeID: nodeID) else {
                verdicts.append(.refused("id, tenantId, queueId and agentId must be UUIDs"))
                continue
            }
            if let earlier = seen[row.id] {
                verdicts.append(earlier == row.contentHash ? .duplicate : .conflicting)
                continue
            }
            seen[row.id] = row.contentHash
            rowIndices.append(verdicts.count)
            verdicts.append(nil)
            rows.append(row)
        }
    }
}

extension CDRRow {
    init(_ cdr: Components.Schemas.Cdr, nodeID: UUID) throws {
        guard let id = UUID(uuidString: cdr.id), let tenant = UUID(uuidString: cdr.tenantId) else { throw ControlPlaneError(.badRequest, "ids") }
        let queue = try cdr.queueId.map { (text: String) throws -> UUID in
            guard let queue = UUID(uuidString: text) else { throw ControlPlaneError(.badRequest, "queueId") }
            return queue
        }
        let agent = try cdr.agentId.map { (text: String) throws -> UUID in
            guard let agent = UUID(uuidString: text) else { throw ControlPlaneError(.badRequest, "agentId") }
            return agent
        }
        let content = try CDRDocument.encoder.encode(cdr)
        var stored = cdr
        stored.nodeId = nodeID.wire
        let document = String(decoding: try CDRDocument.encoder.encode(stored), as: UTF8.self)
        self.init(id: id, tenantID: tenant, nodeID: nodeID, startedAt: cdr.startedAt, endedAt: cdr.endedAt, caller: cdr.caller,
                  callee: cdr.callee, did: cdr.did, queueID: queue, agentID: agent, disposition: cdr.disposition.rawValue,
                  document: document, contentHash: SHA256.hash(data: content).hexString)
    }
}

extension Components.Schemas.TenantSnapshot {
    init(_ s: TenantSnapshotRecord) throws {
        let t = s.tenant
        self.init(
            tenantId: t.id.wire, slug: t.slug, status: .init(rawValue: t.status.rawValue)!, sipDomain: t.sipDomain,
            allowMD5Digest: t.allowMD5Digest, timezone: t.timezone, defaultLanguage: t.defaultLanguage, limits: .init(t.limits),
            skills: s.skills,
            numbers: s.numbers.map { .init(e164: $0.e164, route: Components.Schemas.PhoneNumber($0).route) },
            queues: try s.queues.map { q in
                let queue = try Components.Schemas.Queue(q)
                return .init(id: queue.id, name: queue.name, config: queue.config,
                             members: s.members[q.id].map { $0.map(Components.Schemas.QueueMember.init) })
            },
            agents: s.agents.map { a in
                .init(id: a.id.wire, userId: a.userID?.wire, name: a.name, _extension: a.phoneExtension, sipUsername: a.sipUsername,
                      ha1Md5: a.ha1MD5, ha1Sha256: a.ha1SHA256, skills: a.skills.map { .init(skill: $0.skill, level: $0.level) },
                      groupIds: a.groupIDs.map(\.wire))
            },
            prompts: s.prompts.map { .init(name: $0.name, sha256: $0.sha256) },
            ivrAliases: try s.aliases.map { a in
                .init(alias: a.alias, flowName: a.flowName, version: a.version,
                      definition: try JSONDecoder().decode(Components.Schemas.IvrFlowDefinition.self, from: Data(a.definition.utf8)))
            })
    }
}

extension APIHandler {
    func nodeRouteNumber(_ input: Operations.NodeRouteNumber.Input) async throws -> Operations.NodeRouteNumber.Output {
        _ = try requireNode()
        let number = input.query.number
        guard !number.filter(\.isNumber).isEmpty else { throw ControlPlaneError(.badRequest, "number must contain digits.") }
        guard let route = try await database.platform({ tx in
            try await PlacementRepository.route(tx, number: number)
        }) else {
            throw ControlPlaneError(.notFound, "\(number.prefix(32)) is not in service (not allocated, tenant inactive or not homed).")
        }
        return .ok(.init(body: .json(.init(e164: route.e164, tenantId: route.tenantID.uuidString.lowercased(),
                                           nodeId: route.nodeID.uuidString.lowercased(), sipAddress: route.sipAddress))))
    }
}
