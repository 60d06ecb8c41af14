/// One step of an IVR flow. JSON: an object with `"type"` (`play`, `gather`, `menu`, `http`, `set`,
/// `condition`, `businessHours`, `language`, `enqueue`, `transfer`, `voicemail`, `hangup`) and the
/// fields of that kind.
public enum IVRNode: Codable, Sendable, Equatable, Hashable {
    case play(IVRPlayNode)
    case gather(IVRGatherNode)
    case menu(IVRMenuNode)
    case http(IVRHTTPNode)
    case set(IVRSetNode)
    case condition(IVRConditionNode)
    case businessHours(IVRBusinessHoursNode)
    case language(IVRLanguageNode)
    case enqueue(IVREnqueueNode)
    case transfer(IVRTransferNode)
    case voicemail(IVRVoicemailNode)
    case hangup(IVRHangupNode)

    /// The JSON `type` value.
    public var type: String {
        switch self {
        case .play: "play"
        case .gather: "gather"
        case .menu: "menu"
        case .http: "http"
        case .set: "set"
        case .condition: "condition"
        case .businessHours: "businessHours"
        case .language: "language"
        case .enqueue: "enqueue"
        case .transfer: "transfer"
        case .voicemail: "voicemail"
        case .hangup: "hangup"
        }
    }

    /// Every node this one can continue to, with the JSON field that names it.
    public var targets: [(field: String, node: String)] {
        switch self {
        case .play(let n): [("next", n.next)]
        case .gather(let n): [("next", n.next), ("onFailure", n.onFailure)]
        case .menu(let n):
            n.options.sorted { $0.key < $1.key }.map { ("options.\($0.key)", $0.value) }
                + [("onInvalid", n.onInvalid), ("onTimeout", n.onTimeout), ("onFailure", n.onFailure)].compactMap { f, v in v.map { (f, $0) } }
        case .http(let n): [("next", n.next), ("onError", n.onError)] + (n.onTimeout.map { [("onTimeout", $0)] } ?? [])
        case .set(let n): [("next", n.next)]
        case .condition(let n): n.branches.enumerated().map { ("branches[\($0.offset)].next", $0.element.next) } + [("otherwise", n.otherwise)]
        case .businessHours(let n): [("open", n.open), ("closed", n.closed)] + (n.holiday.map { [("holiday", $0)] } ?? [])
        case .language(let n): [("next", n.next)]
        case .enqueue, .transfer, .voicemail, .hangup: []
        }
    }

    /// Nodes that wait for the caller or the outside world (a loop must pass through one).
    public var waitsForInput: Bool {
        switch self {
        case .gather, .menu, .http: true
        default: false
        }
    }

    private enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "play": self = .play(try IVRPlayNode(from: decoder))
        case "gather": self = .gather(try IVRGatherNode(from: decoder))
        case "menu": self = .menu(try IVRMenuNode(from: decoder))
        case "http": self = .http(try IVRHTTPNode(from: decoder))
        case "set": self = .set(try IVRSetNode(from: decoder))
        case "condition": self = .condition(try IVRConditionNode(from: decoder))
        case "businessHours": self = .businessHours(try IVRBusinessHoursNode(from: decoder))
        case "language": self = .language(try IVRLanguageNode(from: decoder))
        case "enqueue": self = .enqueue(try IVREnqueueNode(from: decoder))
        case "transfer": self = .transfer(try IVRTransferNode(from: decoder))
        case "voicemail": self = .voicemail(try IVRVoicemailNode(from: decoder))
        case "hangup": self = .hangup(try IVRHangupNode(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: try decoder.container(keyedBy: TypeKey.self),
                                                   debugDescription: "unknown node type '\(type)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: TypeKey.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .play(let n): try n.encode(to: encoder)
        case .gather(let n): try n.encode(to: encoder)
        case .menu(let n): try n.encode(to: encoder)
        case .http(let n): try n.encode(to: encoder)
        case .set(let n): try n.encode(to: encoder)
        case .condition(let n): try n.encode(to: encoder)
        case .businessHours(let n): try n.encode(to: encoder)
        case .language(let n): try n.encode(to: encoder)
        case .enqueue(let n): try n.encode(to: encoder)
        case .transfer(let n): try n.encode(to: encoder)
        case .voicemail(let n): try n.encode(to: encoder)
        case .hangup(let n): try n.encode(to: encoder)
        }
    }
}
