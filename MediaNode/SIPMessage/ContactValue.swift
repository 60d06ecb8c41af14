/// The Contact header: `*` (only in REGISTER to remove all bindings) or a list of addresses
/// (RFC 3261 §20.10, §10.2.2).
public enum ContactValue: Hashable, Sendable {
    case wildcard
    case addresses([NameAddress])

    /// Parses every Contact line of a message; `nil` if there is none.
    static func parse(_ headers: SIPHeaders) throws(SIPParseError) -> ContactValue? {
        let elements = headers.listValues(.contact)
        if elements.isEmpty { return nil }
        if elements.count == 1, elements[0] == "*" { return .wildcard }
        var out: [NameAddress] = []
        for e in elements {
            guard e != "*" else { throw .malformedHeader("Contact", "'*' mixed with addresses") }
            guard !e.isEmpty else { throw .malformedHeader("Contact", "empty element") }
            let a = try NameAddress.parse(e, header: "Contact")
            // RFC 3261 §20.10: expires is delta-seconds (≤ 2^32-1), q is 0..1 with ≤ 3 decimals.
            if let e = a.parameters.parameter("expires") {
                guard let v = e, SIPGrammar.parseDecimal(v, limit: UInt64(UInt32.max)) != nil else {
                    throw .valueOutOfRange("Contact expires")
                }
            }
            if let q = a.parameters.parameter("q") {
                guard let v = q, QValue(v) != nil else { throw .valueOutOfRange("Contact q") }
            }
            out.append(a)
        }
        return .addresses(out)
    }
}

/// A q-value in thousandths (RFC 3261 §20.10: `"0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]`).
public struct QValue: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let thousandths: Int

    public init(thousandths: Int) { self.thousandths = max(0, min(1000, thousandths)) }

    public init?<S: StringProtocol>(_ text: S) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0] == "0" || parts[0] == "1" else { return nil }
        var frac = 0
        if parts.count == 2 {
            let f = parts[1]
            guard f.count <= 3, f.utf8.allSatisfy(SIPGrammar.isDigit) else { return nil }
            frac = Int(f.padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
        }
        let total = (parts[0] == "1" ? 1000 : 0) + frac
        guard total <= 1000 else { return nil }
        thousandths = total
    }

    public static func < (a: Self, b: Self) -> Bool { a.thousandths < b.thousandths }

    public var description: String {
        if thousandths == 1000 { return "1" }
        var frac = String(thousandths)
        while frac.count < 3 { frac = "0" + frac }
        while frac.hasSuffix("0"), frac.count > 1 { frac.removeLast() }
        return "0." + frac
    }
}

extension StringProtocol {
    fileprivate func padding(toLength n: Int, withPad pad: String, startingAt _: Int) -> String {
        var s = String(self)
        while s.count < n { s += pad }
        return s
    }
}
