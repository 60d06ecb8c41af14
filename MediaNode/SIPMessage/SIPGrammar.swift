// Character classes and small lexical helpers from the RFC 3261 §25.1 ABNF.

/// Byte-level character classes of the SIP grammar (RFC 3261 §25.1).
enum SIPGrammar {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A

    /// `token` characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
             UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    @inline(__always)
    static func isAlpha(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    static func isToken<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy(isTokenByte)
    }

    /// `word` characters (Call-ID): token plus ( ) < > : \ " / [ ] ? { }.
    static func isWordByte(_ b: UInt8) -> Bool {
        if isTokenByte(b) { return true }
        switch b {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ":"),
             UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    /// Parses `1*DIGIT` into a value no larger than `limit` (leading zeros allowed, RFC 4475 §3.1.1.1).
    static func parseDecimal<S: StringProtocol>(_ s: S, limit: UInt64) -> UInt64? {
        if s.isEmpty { return nil }
        var value: UInt64 = 0
        for b in s.utf8 {
            guard isDigit(b) else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 || a > limit { return nil }
            value = a
        }
        return value
    }

    /// Trims SP/HTAB/CR/LF from both ends (byte-wise: no grapheme breaking).
    static func trimmed<S: StringProtocol>(_ s: S) -> Substring {
        let str = Substring(s)
        let u = str.utf8
        var start = u.startIndex
        var end = u.endIndex
        func isSpace(_ b: UInt8) -> Bool { b == space || b == tab || b == cr || b == lf }
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start {
            let prev = u.index(before: end)
            if isSpace(u[prev]) { end = prev } else { break }
        }
        return str[start..<end]
    }
}

extension Substring {
    /// Index of the first occurrence of an ASCII byte (byte search, no Character comparison).
    @inline(__always)
    func firstByte(_ b: UInt8) -> Index? { utf8.firstIndex(of: b) }

    /// Splits at an ASCII byte, keeping empty pieces.
    func splitBytes(_ b: UInt8) -> [Substring] {
        utf8.split(separator: b, omittingEmptySubsequences: false).map { Substring($0) }
    }
}
