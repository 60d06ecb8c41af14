/// One `m=` section (RFC 4566 §5.14) with its media-level lines.
public struct MediaDescription: Sendable, Hashable {
    /// `audio`, `video`, `application`, ...
    public var media: String
    /// Transport port; 0 marks a rejected or disabled stream (RFC 3264 §6, §8.2).
    public var port: Int
    /// Optional `/<number of ports>` suffix.
    public var portCount: Int?
    /// `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, ...
    public var transport: String
    /// Format list; for RTP these are payload type numbers as text.
    public var formats: [String]
    /// Media-level `c=`, overriding the session level.
    public var connection: Connection?
    /// Media-level uninterpreted lines (`i=`, `b=`, `k=`).
    public var otherLines: [SDPLine]
    /// Media-level `a=` lines.
    public var attributes: [SDPAttribute]

    public init(
        media: String, port: Int, portCount: Int? = nil, transport: String = "RTP/AVP",
        formats: [String], connection: Connection? = nil, otherLines: [SDPLine] = [],
        attributes: [SDPAttribute] = []
    ) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.transport = transport
        self.formats = formats
        self.connection = connection
        self.otherLines = otherLines
        self.attributes = attributes
    }

    /// Payload types as numbers (non-numeric formats are skipped).
    public var payloadTypes: [UInt8] { formats.compactMap { UInt8($0) } }

    /// The value of the first attribute with this name.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Media-level direction attribute, if present (RFC 4566 §6).
    public var direction: MediaDirection? {
        attributes.lazy.compactMap { MediaDirection(rawValue: $0.name) }.first
    }

    /// `a=ptime` in milliseconds (RFC 4566 §6).
    public var ptime: Int? { attribute("ptime").flatMap { Int($0) } }

    /// `a=rtpmap` entries keyed by payload type (RFC 4566 §6), plus the static
    /// RFC 3551 §6 meaning of payload types 0 and 8 when they have no `rtpmap`.
    public var rtpMaps: [UInt8: RTPMap] {
        var maps: [UInt8: RTPMap] = [:]
        for attribute in attributes where attribute.name == "rtpmap" {
            if let value = attribute.value, let (pt, map) = RTPMap.parse(value) { maps[pt] = map }
        }
        for pt in payloadTypes where maps[pt] == nil {
            if let map = RTPMap.staticPayloadType(pt) { maps[pt] = map }
        }
        return maps
    }

    /// `a=fmtp` parameters for a payload type (RFC 4566 §6).
    public func formatParameters(for payloadType: UInt8) -> String? {
        for attribute in attributes where attribute.name == "fmtp" {
            guard let value = attribute.value else { continue }
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, UInt8(parts[0]) == payloadType { return String(parts[1]) }
        }
        return nil
    }
}
