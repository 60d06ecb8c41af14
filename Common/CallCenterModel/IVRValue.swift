import Foundation

/// A value of an IVR variable or expression. Numbers are decimal (money stays exact).
public enum IVRValue: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)

    /// Truthiness in conditions: false, 0, "" and null are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .number(let n): n != 0
        case .string(let s): !s.isEmpty
        }
    }

    /// The value as a number: numbers, numeric strings (`"0042"`, `"-12.50"`) and booleans (1/0).
    public var numberValue: Decimal? {
        switch self {
        case .number(let n): return n
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }) else { return nil }
            return Decimal(string: t, locale: Locale(identifier: "en_US_POSIX"))
        case .null: return nil
        }
    }

    /// Plain text form (what `{{variable}}` inserts).
    public var description: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .number(let n): NSDecimalNumber(decimal: n).stringValue
        case .string(let s): s
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Decimal.self) { self = .number(n) }
        else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        }
    }
}
