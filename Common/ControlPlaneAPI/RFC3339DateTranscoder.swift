package import Foundation
package import OpenAPIRuntime

/// RFC 3339 times on the wire: written with milliseconds (`2026-11-25T10:00:00.125Z`), read with or
/// without fractional seconds. Both the control-plane server and the node client use it, so CDR
/// timestamps keep their millisecond precision end to end.
package struct RFC3339DateTranscoder: DateTranscoder {
    package init() {}

    package func encode(_ date: Date) throws -> String {
        date.formatted(Self.fractional)
    }

    package func decode(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Self.fractional) { return date }
        if let date = try? Date(text, strategy: Self.whole) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an RFC 3339 time such as 2026-11-25T10:00:00Z"))
    }

    static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    static let whole = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
}

extension OpenAPIRuntime.Configuration {
    /// The configuration every generated server and client of this API uses.
    package static var callCenter: Self { Self(dateTranscoder: RFC3339DateTranscoder()) }
}
