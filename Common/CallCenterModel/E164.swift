/// A phone number in ITU-T E.164 form: `+`, a country code not starting with 0, at most 15 digits.
public struct E164: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The canonical text, e.g. `+861012345678`.
    public let value: String

    /// Parses `text`, accepting only canonical E.164 (no spaces, dashes or national prefixes).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 3, utf8.count <= 16, utf8[0] == UInt8(ascii: "+") else { return nil }
        guard utf8[1] >= UInt8(ascii: "1"), utf8[1] <= UInt8(ascii: "9") else { return nil }
        for byte in utf8.dropFirst() where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            return nil
        }
        self.value = text
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let number = E164(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not an E.164 number like +861012345678")
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
