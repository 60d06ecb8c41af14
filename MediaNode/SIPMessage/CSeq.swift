/// The CSeq header: a 32-bit sequence number and a method (RFC 3261 §20.16, §8.1.1.5).
public struct CSeq: Hashable, Sendable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(_ sequence: UInt32, _ method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public var description: String { "\(sequence) \(method.rawValue)" }

    public static func parse<S: StringProtocol>(_ value: S) throws(SIPParseError) -> CSeq {
        var sc = HeaderScanner(value, header: "CSeq")
        sc.skipWhitespace()
        let digits = sc.take(while: SIPGrammar.isDigit)
        guard !digits.isEmpty else { throw .malformedHeader("CSeq", "sequence number") }
        guard let n = SIPGrammar.parseDecimal(digits, limit: UInt64(UInt32.max)) else { throw .valueOutOfRange("CSeq") }
        guard let b = sc.peek, SIPGrammar.isWhitespace(b) else { throw .malformedHeader("CSeq", "missing method") }
        sc.skipWhitespace()
        let method = try sc.requireToken()
        sc.skipWhitespace()
        guard sc.isAtEnd else { throw .malformedHeader("CSeq", "trailing characters") }
        return CSeq(UInt32(n), SIPMethod(rawValue: String(method)))
    }
}
