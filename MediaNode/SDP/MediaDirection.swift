/// Stream direction attributes (RFC 4566 §6, RFC 3264 §5.1, §6.1).
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    /// Whether the side announcing this direction sends media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the side announcing this direction receives media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// Builds a direction from send/receive flags.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The direction an answerer may use given the offer's direction and what it
    /// wants itself: it may only send if the offerer receives and vice versa (RFC 3264 §6.1).
    public func answer(wanting local: MediaDirection) -> MediaDirection {
        MediaDirection(sends: receives && local.sends, receives: sends && local.receives)
    }
}
