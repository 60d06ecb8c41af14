/// An SDP session description (RFC 4566 §5).
///
/// Lines this model does not interpret (`i=`, `u=`, `e=`, `p=`, `b=`, `z=`, `k=`, ...)
/// are kept in `otherLines` so that parse → serialize keeps them.
public struct SessionDescription: Sendable, Hashable {
    /// `v=` protocol version; always 0 (RFC 4566 §5.1).
    public var version: Int
    /// `o=` origin (RFC 4566 §5.2).
    public var origin: Origin
    /// `s=` session name (RFC 4566 §5.3). A single space or `-` when unused.
    public var sessionName: String
    /// Session-level `c=` line; media-level `c=` overrides it (RFC 4566 §5.7).
    public var connection: Connection?
    /// Session-level uninterpreted lines, in order, as `(type, value)`.
    public var otherLines: [SDPLine]
    /// `t=` lines as raw values, normally `["0 0"]` (RFC 4566 §5.9).
    public var timing: [String]
    /// Session-level `a=` lines.
    public var attributes: [SDPAttribute]
    /// `m=` sections in order.
    public var media: [MediaDescription]

    /// Creates a session description.
    public init(
        version: Int = 0,
        origin: Origin,
        sessionName: String = "-",
        connection: Connection? = nil,
        otherLines: [SDPLine] = [],
        timing: [String] = ["0 0"],
        attributes: [SDPAttribute] = [],
        media: [MediaDescription] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.otherLines = otherLines
        self.timing = timing
        self.attributes = attributes
        self.media = media
    }

    /// Session-level direction attribute, `sendrecv` when absent (RFC 4566 §6).
    public var direction: MediaDirection? {
        attributes.lazy.compactMap { MediaDirection(rawValue: $0.name) }.first
    }

    /// The connection address that applies to `media[index]` (media level first, then session level).
    public func effectiveConnection(forMediaAt index: Int) -> Connection? {
        media[index].connection ?? connection
    }
}

/// The `o=` line (RFC 4566 §5.2).
public struct Origin: Sendable, Hashable {
    public var username: String
    public var sessionID: UInt64
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-", sessionID: UInt64, sessionVersion: UInt64,
        networkType: String = "IN", addressType: String = "IP4", address: String
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }
}

/// The `c=` line (RFC 4566 §5.7).
public struct Connection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    /// Unicast address (a TTL/count suffix of multicast addresses is kept verbatim).
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// `0.0.0.0` is the RFC 2543 way to put a stream on hold (RFC 3264 §8.4).
    public var isNullAddress: Bool { address == "0.0.0.0" || address == "::" }
}

/// An uninterpreted `<type>=<value>` line.
public struct SDPLine: Sendable, Hashable {
    public var type: Character
    public var value: String
    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}

/// An `a=` line: `a=name` or `a=name:value` (RFC 4566 §5.13).
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}
