/// An `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]` value (RFC 4566 §6).
public struct RTPMap: Sendable, Hashable {
    public var encoding: String
    public var clockRate: Int
    public var channels: Int?

    public init(encoding: String, clockRate: Int, channels: Int? = nil) {
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses `"<pt> <encoding>/<rate>[/<channels>]"`.
    static func parse(_ value: String) -> (UInt8, RTPMap)? {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = UInt8(parts[0]) else { return nil }
        let fields = parts[1].split(separator: "/")
        guard fields.count >= 2, let rate = Int(fields[1]) else { return nil }
        let channels = fields.count > 2 ? Int(fields[2]) : nil
        return (pt, RTPMap(encoding: String(fields[0]), clockRate: rate, channels: channels))
    }

    /// The static audio payload types this node understands (RFC 3551 §6, Table 4).
    static func staticPayloadType(_ pt: UInt8) -> RTPMap? {
        switch pt {
        case 0: RTPMap(encoding: "PCMU", clockRate: 8000)
        case 8: RTPMap(encoding: "PCMA", clockRate: 8000)
        default: nil
        }
    }

    /// The attribute value for payload type `pt`.
    func attributeValue(payloadType pt: UInt8) -> String {
        var text = "\(pt) \(encoding)/\(clockRate)"
        if let channels { text += "/\(channels)" }
        return text
    }

    /// True when the encoding name matches case-insensitively and the clock rate is equal.
    func matches(_ other: RTPMap) -> Bool {
        encoding.lowercased() == other.encoding.lowercased() && clockRate == other.clockRate
            && (channels ?? 1) == (other.channels ?? 1)
    }
}

/// The audio codecs this media node can send and receive.
public enum AudioCodec: String, Sendable, Hashable, CaseIterable {
    /// G.711 μ-law, static payload type 0.
    case pcmu = "PCMU"
    /// G.711 A-law, static payload type 8.
    case pcma = "PCMA"

    /// RFC 3551 static payload type.
    public var staticPayloadType: UInt8 { self == .pcmu ? 0 : 8 }
    /// The `rtpmap` this codec is announced with.
    public var rtpMap: RTPMap { RTPMap(encoding: rawValue, clockRate: 8000) }
}
