import CallCenterModel
import Foundation

/// Dotted paths into a JSON document: `data.balance`, `orders.0.status`.
enum IVRJSONPath {
    /// A decoded JSON value (decimal numbers stay exact).
    indirect enum JSON: Decodable {
        case null, bool(Bool), number(Decimal), string(String), array([JSON]), object([String: JSON])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Decimal.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }
    }

    static func parse(_ body: String) -> JSON? {
        try? JSONDecoder().decode(JSON.self, from: Data(body.utf8))
    }

    static func value(at path: String, in json: JSON) -> IVRValue? {
        var current = json
        for key in path.split(separator: ".") {
            switch current {
            case .object(let o):
                guard let next = o[String(key)] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(key), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        switch current {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .array, .object: return nil
        }
    }
}
