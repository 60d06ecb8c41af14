import NIOCore
import SDP

/// Settings of the media engine (read from flags/environment in `main` only).
public struct MediaEngineConfiguration: Sendable {
    /// Address RTP sockets bind to. Default `0.0.0.0`.
    public var bindAddress: String = "0.0.0.0"
    /// Codec preferences and the address put in SDP (`c=`/`o=`).
    public var profile: LocalMediaProfile
    /// RTP port range (even ports are RTP, the odd port above is RTCP). `nil` lets the OS
    /// pick (port 0), which tests use. Typical production range 10000...20000.
    public var portRange: ClosedRange<Int>?
    /// Open an RTCP socket on RTP port + 1 and send reports (RFC 3550 §6). Default true.
    public var rtcpEnabled = true
    /// Interval between RTCP reports. Default 5 s (RFC 3550 §6.2 minimum).
    public var rtcpInterval: TimeAmount = .seconds(5)
    /// Report a leg dead after this long without RTP while it should be receiving. Default 30 s.
    public var inactivityTimeout: TimeAmount = .seconds(30)
    /// Send to the address RTP arrives from rather than the SDP address (NAT). Default true.
    /// Latching is strict (see `LegState+Latching.swift`): only a source consistent with the
    /// signalling, and a new source only within `latchWindow` of a (re)negotiation.
    public var symmetricRTP = true
    /// How long after an offer/answer a leg may latch onto a new source address. Default 3 s.
    public var latchWindow: TimeAmount = .seconds(3)
    /// Packets in a row, in sequence, a new SSRC from the latched source needs outside the
    /// latch window before it is followed. Default 4.
    public var ssrcProbation = 4
    /// Frames held by jitter buffers where audio is decoded (recording, mixing). Default 3 (60 ms).
    public var jitterBufferDepth = 3
    /// Run the Goertzel detector on legs without telephone-event. Default true.
    public var inBandDTMFWhenNoTelephoneEvent = true
    /// Hand plain bridged RTP to the in-kernel relay (BPF, `KernelRelay`) when the host allows
    /// it (Linux 6.6+, CAP_BPF and CAP_NET_ADMIN); otherwise the packet loops relay it. Default true.
    public var kernelRelay = true

    public init(profile: LocalMediaProfile, portRange: ClosedRange<Int>? = nil) {
        self.profile = profile
        self.portRange = portRange
    }
}
