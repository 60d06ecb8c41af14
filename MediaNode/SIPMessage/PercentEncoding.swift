// %HH escapes in SIP-URIs (RFC 3261 §19.1.2, §25.1 `escaped`). Decoding is done exactly once.

enum PercentEncoding {
    /// Which characters a URI component may carry unescaped.
    enum Component {
        case user, password, parameter, header

        func allows(_ b: UInt8) -> Bool {
            if SIPGrammar.isAlpha(b) || SIPGrammar.isDigit(b) { return true }
            switch b {
            // unreserved marks
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"),
                 UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
                return true
            default: break
            }
            switch self {
            case .user:
                return "&=+$,;?/".utf8.contains(b)
            case .password:
                return "&=+$,".utf8.contains(b)
            case .parameter:
                return "[]/:&+$".utf8.contains(b)
            case .header:
                return "[]/?:+$".utf8.contains(b)
            }
        }
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes %HH once; fails on a malformed escape or a character the component forbids.
    static func decode(_ s: Substring, _ component: Component) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        var needsDecode = false
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
                out.append(h << 4 | l)
                needsDecode = true
            } else if component.allows(b) {
                out.append(b)
            } else {
                return nil
            }
        }
        if !needsDecode { return String(s) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes every byte the component does not allow unescaped.
    static func encode(_ s: String, _ component: Component) -> String {
        if s.utf8.allSatisfy(component.allows) { return s }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in s.utf8 {
            if component.allows(b) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
