/// An offer or answer this node cannot accept (RFC 3264 §6). The SIP layer answers an
/// INVITE whose offer fails this way with 488 Not Acceptable Here (RFC 3261 §21.4.26).
public struct SDPNegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case noAudioStream
        case unsupportedTransport
        case noCommonCodec
        case missingConnection
        case streamRejected
        case answerMismatch
        case invalidPort
    }

    private let code: Code
    /// Human-readable detail, suitable for a SIP `Warning` header text.
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The offer has no audio stream with a non-zero port.
    public static let noAudioStream = Self(.noAudioStream, "no active audio stream offered")
    /// Audio was offered only over transports this node does not speak (e.g. SRTP).
    public static func unsupportedTransport(_ transport: String) -> Self {
        Self(.unsupportedTransport, "unsupported transport \(transport)")
    }
    /// None of PCMU/PCMA was offered.
    public static let noCommonCodec = Self(.noCommonCodec, "no common codec (PCMU, PCMA)")
    /// The accepted stream has no `c=` line at media or session level (RFC 4566 §5.7).
    public static let missingConnection = Self(.missingConnection, "no connection address for the audio stream")
    /// The answer rejected our audio stream (port 0).
    public static let streamRejected = Self(.streamRejected, "audio stream rejected by the answer")
    /// The answer does not correspond to the offer (RFC 3264 §6: same number of m= lines).
    public static func answerMismatch(_ detail: String) -> Self { Self(.answerMismatch, detail) }

    /// The stream's RTP or RTCP port cannot be used: RTP port 65535 with implicit RTCP (RFC 3550
    /// §11: RTCP is the next port), or an `a=rtcp` port outside 1…65535 (RFC 3605 §2.1).
    public static func invalidPort(_ detail: String) -> Self { Self(.invalidPort, detail) }

    public var description: String { "SDP negotiation failed: \(detail)" }
}
