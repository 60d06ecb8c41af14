/// Where a caller goes when a queue gives up on them (max wait, max length, join-empty, leave-when-empty).
///
/// JSON: `{"type":"queue","queue":"sales"}`, `{"type":"ivrFlow","alias":"after-hours"}`,
/// `{"type":"voicemail","mailbox":"support"}`, `{"type":"hangup"}`.
public enum OverflowTarget: Codable, Sendable, Equatable, Hashable {
    /// Another queue of the same tenant, by queue key.
    case queue(String)
    /// An IVR flow, by published alias.
    case ivrFlow(alias: String)
    /// A voicemail box (nil: the queue's default box).
    case voicemail(mailbox: String?)
    /// Hang up (after the overflow prompt, if any).
    case hangup

    private enum CodingKeys: String, CodingKey { case type, queue, alias, mailbox }
    private enum Kind: String, Codable { case queue, ivrFlow, voicemail, hangup }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .type) {
        case .queue: self = .queue(try c.decode(String.self, forKey: .queue))
        case .ivrFlow: self = .ivrFlow(alias: try c.decode(String.self, forKey: .alias))
        case .voicemail: self = .voicemail(mailbox: try c.decodeIfPresent(String.self, forKey: .mailbox))
        case .hangup: self = .hangup
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .queue(let q):
            try c.encode(Kind.queue, forKey: .type)
            try c.encode(q, forKey: .queue)
        case .ivrFlow(let alias):
            try c.encode(Kind.ivrFlow, forKey: .type)
            try c.encode(alias, forKey: .alias)
        case .voicemail(let box):
            try c.encode(Kind.voicemail, forKey: .type)
            try c.encodeIfPresent(box, forKey: .mailbox)
        case .hangup:
            try c.encode(Kind.hangup, forKey: .type)
        }
    }

    func validate(into v: inout ValidationCollector, at field: String) {
        switch self {
        case .queue(let q):
            v.require(!q.isEmpty, field + ".queue", "must name a queue")
        case .ivrFlow(let alias):
            v.require(!alias.isEmpty, field + ".alias", "must name an IVR flow alias")
        case .voicemail(let box):
            v.require(box.map { !$0.isEmpty } ?? true, field + ".mailbox", "must not be empty when present")
        case .hangup:
            break
        }
    }
}
