/// DTMF carried in SIP INFO bodies, for phones and gateways that send keys only that way.
/// Neither format has an RFC; both are de-facto (RFC 6086 §1 calls them legacy INFO usages):
///
/// * `application/dtmf-relay`: lines `Signal=<key>` and `Duration=<ms>` (Cisco, PJSIP, Asterisk),
///   e.g. `Signal=5\r\nDuration=160\r\n`. `Signal` may also be an RFC 4733 event code (`10` = `*`).
/// * `application/dtmf`: the key alone (`5`, `#`), or its RFC 4733 event code.
///
/// Pure and bounded: the body comes from the wire, so nothing here can trap on it.
public enum DTMFInfoBody {
    /// What a DTMF INFO body says.
    public enum Parsed: Sendable, Hashable {
        /// A key press lasting `durationMs` (clamped to `durationRange`).
        case key(DTMFDigit, durationMs: Int)
        /// A well-formed signal that is not a key (hook flash: event 16 or `!`): acknowledged, not delivered.
        case notAKey
    }

    /// Longest body read; anything longer is malformed (a key press needs a few dozen bytes).
    public static let maximumBodyBytes = 512
    /// Duration used when the body gives none (or an unreadable one), ms.
    public static let defaultDurationMs = 100
    /// Durations outside this range are clamped (a relayed key must neither vanish nor last minutes).
    public static let durationRange = 20...5000

    /// True for the two content types this parser reads (media type only, case-insensitive).
    public static func isDTMF(contentType: String?) -> Bool {
        guard let type = mediaType(contentType) else { return false }
        return type == "application/dtmf-relay" || type == "application/dtmf"
    }

    /// Parses a body of `contentType`; nil when it is not a DTMF body or is malformed (400).
    public static func parse(contentType: String?, body: [UInt8]) -> Parsed? {
        guard body.count <= maximumBodyBytes, let type = mediaType(contentType) else { return nil }
        switch type {
        case "application/dtmf-relay": return parseRelay(body)
        case "application/dtmf": return signal(trimmed(body[...])).map { $0.map { .key($0, durationMs: defaultDurationMs) } ?? .notAKey }
        default: return nil
        }
    }

    /// `Signal=` / `Duration=` lines (LF or CRLF); other lines are ignored, a second `Signal` is malformed.
    static func parseRelay(_ body: [UInt8]) -> Parsed? {
        var key: DTMFDigit??
        var duration = defaultDurationMs
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = trimmed(line[line.startIndex..<equals]).map(lowercased)
            let value = trimmed(line[(equals + 1)...])
            if name == Array("signal".utf8) {
                guard key == nil, let parsed = signal(value) else { return nil }
                key = .some(parsed)
            } else if name == Array("duration".utf8), let ms = decimal(value) {
                duration = min(max(ms, durationRange.lowerBound), durationRange.upperBound)
            }
        }
        guard let key else { return nil } // no Signal line
        return key.map { .key($0, durationMs: duration) } ?? .notAKey
    }

    /// A key character or an RFC 4733 event code 0…16. `.some(nil)`: a hook flash (16, `!`); nil: malformed.
    static func signal(_ value: ArraySlice<UInt8>) -> DTMFDigit?? {
        if value.count == 1, let byte = value.first {
            if byte == UInt8(ascii: "!") { return .some(nil) }
            if let digit = DTMFDigit(Character(Unicode.Scalar(byte))) { return .some(digit) }
            return nil
        }
        guard let code = decimal(value), code <= 16 else { return nil }
        if code == 16 { return .some(nil) }
        return DTMFDigit(event: UInt8(code)).map { .some($0) }
    }

    /// A decimal of at most 6 digits (no sign), else nil: no overflow whatever the input.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 6 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + Int(b - UInt8(ascii: "0"))
        }
        return n
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        var s = bytes
        while let first = s.first, blank.contains(first) { s = s.dropFirst() }
        while let last = s.last, blank.contains(last) { s = s.dropLast() }
        return s
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// `type/subtype` of a Content-Type value, lowercased, without parameters.
    static func mediaType(_ contentType: String?) -> String? {
        guard let contentType else { return nil }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(type).trimmingSpaces.lowercased()
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
