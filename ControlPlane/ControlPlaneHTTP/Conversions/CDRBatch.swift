import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import Crypto
import Foundation

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
/// the end not before the start. What passes becomes a row; repeats within the batch, the tenants a node
/// may write for and storing are `NodeChannelUseCases.uploadCDRs`'.
struct CDRBatchValidation {
    /// Per CDR of the batch: its row, or why it has none.
    var items: [CDRBatchItem] = []

    /// The range of times a CDR may carry (PostgreSQL stores far more; these are sane call times).
    static let earliest = Date(timeIntervalSince1970: 0)
    static let latest = Date(timeIntervalSince1970: 253_402_300_799)  // 9999-12-31T23:59:59Z

    /// `specIssues`: CDRs (by index) that break a bound of the `Cdr` schema (`SpecLimits`, per item).
    init(_ cdrs: [Components.Schemas.Cdr], nodeID: UUID, specIssues: [Int: [ValidationIssue]] = [:]) {
        items = cdrs.enumerated().map { index, cdr in Self.item(cdr, nodeID: nodeID, specIssues: specIssues[index] ?? []) }
    }

    static func item(_ cdr: Components.Schemas.Cdr, nodeID: UUID, specIssues: [ValidationIssue]) -> CDRBatchItem {
        var cdr = cdr
        cdr.nodeId = nil  // not part of the content: the same call re-sent by a restarted node is the same CDR
        if !specIssues.isEmpty {
            return .refused(specIssues.prefix(3).map(\.description).joined(separator: "; "))
        }
        if let field = CDRDocument.fieldWithNUL(in: cdr) {
            return .refused("\(field) contains a NUL character (U+0000), which cannot be stored")
        }
        guard (earliest...latest).contains(cdr.startedAt), (earliest...latest).contains(cdr.endedAt) else {
            return .refused("startedAt and endedAt must be between 1970 and 9999")
        }
        guard cdr.endedAt >= cdr.startedAt else {
            return .refused("endedAt is before startedAt")
        }
        guard let row = try? CDRRow(cdr, nodeID: nodeID) else {
            return .refused("id, tenantId, queueId and agentId must be UUIDs")
        }
        return .row(row)
    }
}

extension Components.Schemas.CdrBatchResult {
    /// The answer to an upload: each CDR's id under what became of it.
    init(_ cdrs: [Components.Schemas.Cdr], _ outcomes: [CDRBatchOutcome]) {
        var stored: [String] = [], duplicates: [String] = []
        var rejected: [RejectedPayloadPayload] = []
        for (cdr, outcome) in zip(cdrs, outcomes) {
            switch outcome {
            case .stored: stored.append(cdr.id)
            case .duplicate: duplicates.append(cdr.id)
            case .conflicting: rejected.append(.init(id: cdr.id, detail: "a different CDR with this id is already stored; keep this one for inspection"))
            case .refused(let reason): rejected.append(.init(id: cdr.id, detail: reason))
            }
        }
        self.init(stored: stored, duplicates: duplicates, rejected: rejected)
    }
}
