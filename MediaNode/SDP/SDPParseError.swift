/// A session description that is not well-formed SDP (RFC 4566 §5). The SIP layer answers 400.
public struct SDPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case malformedLine
        case missingRequiredLine
        case invalidField
        case outOfOrder
    }

    private let code: Code
    /// 1-based line number where the problem was found (0 when not tied to a line).
    public let line: Int
    /// Human-readable detail.
    public let detail: String

    private init(_ code: Code, line: Int, _ detail: String) {
        self.code = code
        self.line = line
        self.detail = detail
    }

    /// A line that is not `<type>=<value>`.
    public static func malformedLine(_ line: Int) -> Self { Self(.malformedLine, line: line, "expected <type>=<value>") }
    /// A required line (`v=`, `o=`, `s=`, `t=`) is missing.
    public static func missingRequiredLine(_ type: Character) -> Self {
        Self(.missingRequiredLine, line: 0, "missing \(type)= line")
    }
    /// A line whose fields cannot be read.
    public static func invalidField(_ line: Int, _ detail: String) -> Self { Self(.invalidField, line: line, detail) }
    /// A session-level line after the first `m=` line that cannot appear there.
    public static func outOfOrder(_ line: Int, _ detail: String) -> Self { Self(.outOfOrder, line: line, detail) }

    public var description: String { "SDP parse error at line \(line): \(detail)" }
}
