import RTPCore

/// Something a leg reports to call control.
public enum MediaEvent: Sendable, Hashable {
    /// A key went down (reported at once so prompts can be barged).
    case dtmf(DTMFDigit, source: DTMFSource)
    /// The key went up after `durationMs`.
    case dtmfEnded(DTMFDigit, durationMs: Int)
    /// A playback list finished normally.
    case playbackFinished(PlaybackID)
    /// A playback was stopped (by `stopPlayback`, a new `play`, hold/resume or DTMF barge-in).
    case playbackStopped(PlaybackID)
    /// No RTP for `inactivityTimeout` while the leg should be receiving: treat the call as dead.
    case inactivityTimeout
}

/// Where a DTMF digit was detected.
public enum DTMFSource: Sendable, Hashable {
    /// RFC 4733 telephone-event packets.
    case rfc4733
    /// Goertzel detection in the audio.
    case inBand
    /// A SIP INFO body (`application/dtmf-relay`, `application/dtmf`) handed in by call control.
    case sipInfo
}

/// Identifies one `play` request on a leg.
public struct PlaybackID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public var description: String { "playback-\(rawValue)" }
}

/// Per-leg quality figures for the CDR.
public struct MediaQualityStats: Sendable, Hashable {
    public var codec: String
    public var packetsSent: UInt32
    public var packetsReceived: UInt32
    public var octetsReceived: UInt64
    /// Expected minus received (RFC 3550 A.3); negative with duplicates.
    public var packetsLost: Int64
    public var lossRatio: Double
    public var jitterMs: Double
    /// Round trip from the peer's RTCP receiver reports, when it sends them.
    public var roundTripMs: Double?
    /// E-model MOS estimate (G.107) from loss, jitter and delay.
    public var mos: Double
}
