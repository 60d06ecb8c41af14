/// What this media node offers and accepts for audio: its address and codec preferences.
public struct LocalMediaProfile: Sendable, Hashable {
    /// Address put in `c=` and `o=` (the RTP socket's reachable address).
    public var address: String
    /// `IP4` or `IP6`.
    public var addressType: String
    /// Codecs in preference order. Default PCMU, then PCMA.
    public var codecs: [AudioCodec]
    /// Payload type we offer `telephone-event` on (RFC 4733 §7.1); nil disables it. Default 101.
    public var telephoneEventPayloadType: UInt8?
    /// Packetization time we send and announce, ms. Default 20.
    public var ptime: Int
    /// When true the answer uses our codec order; when false the offerer's (RFC 3264 §6.1 allows both).
    public var preferOwnCodecOrder: Bool

    public init(
        address: String, addressType: String = "IP4", codecs: [AudioCodec] = [.pcmu, .pcma],
        telephoneEventPayloadType: UInt8? = 101, ptime: Int = 20, preferOwnCodecOrder: Bool = true
    ) {
        self.address = address
        self.addressType = addressType
        self.codecs = codecs
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.ptime = ptime
        self.preferOwnCodecOrder = preferOwnCodecOrder
    }
}

/// The audio stream both sides agreed on, from this node's point of view.
public struct NegotiatedAudio: Sendable, Hashable {
    /// Codec both directions use.
    public var codec: AudioCodec
    /// Payload type the codec is sent with.
    public var payloadType: UInt8
    /// Payload type of RFC 4733 events, when both sides support them.
    public var telephoneEventPayloadType: UInt8?
    /// Packetization time the peer asked for (its `a=ptime`, else 20 ms).
    public var remotePtime: Int
    /// Where to send RTP; nil when the peer gave `c=0.0.0.0` (RFC 3264 §8.4 hold).
    public var remoteAddress: String?
    /// Remote RTP port, 1…65535 when negotiated (0 only in values built by hand).
    public var remotePort: Int
    /// Remote RTCP port, 1…65535 when negotiated: the peer's `a=rtcp` (RFC 3605 §2.1), else the RTP
    /// port + 1 (RFC 3550 §11), which is why an RTP port of 65535 without `a=rtcp` is refused.
    /// RTCP goes to `remoteAddress`; an address in `a=rtcp` is not followed (no third-party target).
    public var remoteRTCPPort: Int
    /// Our direction: `sends` means we send to the peer.
    public var direction: MediaDirection

    /// `remoteRTCPPort` defaults to `remotePort + 1` (0 when that is not a port).
    public init(
        codec: AudioCodec, payloadType: UInt8, telephoneEventPayloadType: UInt8?, remotePtime: Int,
        remoteAddress: String?, remotePort: Int, remoteRTCPPort: Int? = nil, direction: MediaDirection
    ) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.remotePtime = remotePtime
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.remoteRTCPPort = remoteRTCPPort ?? ((0..<65535).contains(remotePort) ? remotePort + 1 : 0)
        self.direction = direction
    }
}
