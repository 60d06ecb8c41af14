/// The `scheme auth-param *(COMMA auth-param)` form of WWW-Authenticate and Authorization
/// (RFC 3261 §25.1, RFC 7616 §3.3-3.4). Values are unquoted on parse.
public struct AuthParameters: Hashable, Sendable {
    public var scheme: String
    /// Parameter names lower-cased, in order.
    public var parameters: [(name: String, value: String)]

    public init(scheme: String, parameters: [(name: String, value: String)]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    public subscript(_ name: String) -> String? {
        parameters.first { $0.name == name.lowercased() }?.value
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.scheme == b.scheme && a.parameters.map { "\($0.name)=\($0.value)" } == b.parameters.map { "\($0.name)=\($0.value)" }
    }

    public func hash(into h: inout Hasher) {
        h.combine(scheme)
        for p in parameters { h.combine(p.name); h.combine(p.value) }
    }

    /// Parses a header value; nil if malformed.
    public static func parse(_ text: String) -> AuthParameters? {
        let bytes = Array(text.utf8)
        var i = 0
        func skipWS() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        func isTokenByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "-.!%*_+`'~".utf8.contains(b)
        }
        func token() -> String? {
            let s = i
            while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
            return s == i ? nil : String(decoding: bytes[s..<i], as: UTF8.self)
        }
        skipWS()
        guard let scheme = token() else { return nil }
        var params: [(name: String, value: String)] = []
        skipWS()
        while i < bytes.count {
            guard let name = token() else { return nil }
            skipWS()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
            i += 1
            skipWS()
            var value: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        value.append(bytes[i + 1]); i += 2
                    } else if bytes[i] == UInt8(ascii: "\"") {
                        i += 1; closed = true; break
                    } else {
                        value.append(bytes[i]); i += 1
                    }
                }
                guard closed else { return nil }
            } else {
                guard let t = token() else { return nil }
                value = Array(t.utf8)
            }
            params.append((name.lowercased(), String(decoding: value, as: UTF8.self)))
            skipWS()
            if i < bytes.count {
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
                skipWS()
            }
        }
        return AuthParameters(scheme: scheme, parameters: params)
    }
}
