import Foundation

/// The indexed columns of a CDR; the whole record is kept as `document` (JSON).
public struct CDRRow: Sendable {
    public var id: UUID
    public var tenantID: UUID
    public var nodeID: UUID?
    public var startedAt: Date
    public var endedAt: Date
    public var caller: String
    public var callee: String
    public var did: String?
    public var queueID: UUID?
    public var agentID: UUID?
    public var disposition: String
    public var document: String
    public var contentHash: String

    public init(id: UUID, tenantID: UUID, nodeID: UUID?, startedAt: Date, endedAt: Date, caller: String, callee: String,
                did: String?, queueID: UUID?, agentID: UUID?, disposition: String, document: String, contentHash: String) {
        self.id = id; self.tenantID = tenantID; self.nodeID = nodeID; self.startedAt = startedAt; self.endedAt = endedAt
        self.caller = caller; self.callee = callee; self.did = did; self.queueID = queueID; self.agentID = agentID
        self.disposition = disposition; self.document = document; self.contentHash = contentHash
    }
}

public enum CDRIngestOutcome: Sendable, Equatable {
    case stored, duplicate, conflicting
}

/// What became of one CDR of a batch.
public enum CDRBatchOutcome: Sendable, Equatable {
    case stored, duplicate, conflicting
    /// PostgreSQL refused the row (its reason); nothing of it was written.
    case refused(String)
}

public struct CDRFilter: Sendable {
    public var from: Date?
    public var to: Date?
    public var number: String?
    public var queueID: UUID?
    public var agentID: UUID?
    public var disposition: String?
    public init(from: Date? = nil, to: Date? = nil, number: String? = nil, queueID: UUID? = nil, agentID: UUID? = nil,
                disposition: String? = nil) {
        self.from = from; self.to = to; self.number = number; self.queueID = queueID; self.agentID = agentID
        self.disposition = disposition
    }
}
