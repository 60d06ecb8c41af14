// A cursor over one (unfolded) header value with the LWS rules of RFC 3261 §25.1:
// SEMI, EQUAL, SLASH, COLON, LAQUOT, RAQUOT may be surrounded by whitespace.

struct HeaderScanner {
    let bytes: [UInt8]
    var index = 0
    let header: String

    init<S: StringProtocol>(_ value: S, header: String) {
        self.bytes = Array(value.utf8)
        self.header = header
    }

    var isAtEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count, SIPGrammar.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Consumes `c` with optional whitespace around it.
    mutating func consume(_ c: UInt8) -> Bool {
        let save = index
        skipWhitespace()
        if peek == c {
            index += 1
            skipWhitespace()
            return true
        }
        index = save
        return false
    }

    mutating func expect(_ c: UInt8) throws(SIPParseError) {
        guard consume(c) else { throw .malformedHeader(header, "expected '\(Character(Unicode.Scalar(c)))'") }
    }

    /// 1*token-char.
    mutating func token() -> Substring? {
        let start = index
        while index < bytes.count, SIPGrammar.isTokenByte(bytes[index]) { index += 1 }
        return start == index ? nil : string(start, index)
    }

    mutating func requireToken() throws(SIPParseError) -> Substring {
        guard let t = token() else { throw .malformedHeader(header, "expected a token") }
        return t
    }

    /// Runs while `predicate` holds.
    mutating func take(while predicate: (UInt8) -> Bool) -> Substring {
        let start = index
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
        return string(start, index)
    }

    /// A quoted-string; returns its content with quoted-pairs resolved (RFC 3261 §25.1).
    mutating func quotedString() throws(SIPParseError) -> String {
        guard peek == UInt8(ascii: "\"") else { throw .malformedHeader(header, "expected a quoted string") }
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count, bytes[index + 1] != SIPGrammar.cr, bytes[index + 1] != SIPGrammar.lf
                else { throw .malformedHeader(header, "bad quoted-pair") }
                out.append(bytes[index + 1])
                index += 2
            } else if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            } else {
                out.append(b)
                index += 1
            }
        }
        throw .malformedHeader(header, "unterminated quoted string")
    }

    /// `*( SEMI generic-param )` up to the end of the value; empty parameters are errors.
    /// Values are kept as written (a quoted value keeps its quotes).
    mutating func parameters() throws(SIPParseError) -> [SIPParameter] {
        var params: [SIPParameter] = []
        while true {
            skipWhitespace()
            if isAtEnd { return params }
            guard consume(UInt8(ascii: ";")) else { throw .malformedHeader(header, "expected ';'") }
            guard let name = token() else { throw .malformedHeader(header, "empty parameter") }
            var value: String?
            if consume(UInt8(ascii: "=")) {
                if peek == UInt8(ascii: "\"") {
                    let start = index
                    _ = try quotedString()
                    value = String(string(start, index))
                } else {
                    let v = take { SIPGrammar.isTokenByte($0) || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: ":") }
                    guard !v.isEmpty else { throw .malformedHeader(header, "empty parameter value") }
                    value = String(v)
                }
            }
            params.append(SIPParameter(String(name), value))
        }
    }

    func string(_ from: Int, _ to: Int) -> Substring {
        Substring(String(decoding: bytes[from..<to], as: UTF8.self))
    }

    func rest() -> Substring { string(index, bytes.count) }
}
