/// A WAV file this node cannot play.
public struct WAVError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case notWAV
        case unsupportedFormat
        case truncated
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public static let notWAV = Self(.notWAV, "not a RIFF/WAVE file")
    public static func unsupportedFormat(_ detail: String) -> Self { Self(.unsupportedFormat, detail) }
    public static func truncated(_ detail: String) -> Self { Self(.truncated, detail) }

    public var description: String { "WAV: \(detail)" }
}
