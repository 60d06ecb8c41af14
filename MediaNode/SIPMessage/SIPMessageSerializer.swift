// Wire form of messages (RFC 3261 §7). Content-Length is always written from the body.
// CR, LF and NUL never reach the wire inside a start line or header value: a value built from
// something a peer sent (a decoded URI user, a display name) cannot end its line and add a
// header of its own (RFC 3261 §25.1: header values are single lines after unfolding).

extension SIPRequest {
    /// The request as bytes: request line, headers in order, Content-Length, body.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        SIPHeaders.appendLine("\(method.rawValue) \(uri.description) \(version)", into: &out)
        SIPHeaders.write(headers, bodyCount: body.count, into: &out)
        out.append(contentsOf: body)
        return out
    }
}

extension SIPResponse {
    /// The response as bytes: status line, headers in order, Content-Length, body.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        SIPHeaders.appendLine("\(version) \(statusCode) \(reasonPhrase)", into: &out)
        SIPHeaders.write(headers, bodyCount: body.count, into: &out)
        out.append(contentsOf: body)
        return out
    }
}

extension SIPMessage {
    public func serialized() -> [UInt8] {
        switch self {
        case .request(let r): return r.serialized()
        case .response(let r): return r.serialized()
        }
    }
}

extension SIPHeaders {
    static func write(_ headers: SIPHeaders, bodyCount: Int, into out: inout [UInt8]) {
        for f in headers.fields where f.name != .contentLength {
            out.append(contentsOf: f.name.spelling.utf8)
            out.append(contentsOf: ": ".utf8)
            appendLine(f.value, into: &out)
        }
        out.append(contentsOf: "Content-Length: \(bodyCount)\r\n\r\n".utf8)
    }

    /// Appends `line` and CRLF, leaving out any CR, LF or NUL inside it.
    @inline(__always)
    static func appendLine(_ line: String, into out: inout [UInt8]) {
        var line = line
        line.withUTF8 { bytes in
            // One scan of contiguous bytes; the bulk copy stays a memcpy (a filter would append byte by byte).
            var clean = true
            for b in bytes where b <= 0x0D && isLineBreaking(b) {
                clean = false
                break
            }
            if clean {
                out.append(contentsOf: bytes)
            } else {
                out.append(contentsOf: bytes.lazy.filter { !isLineBreaking($0) })
            }
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    /// True for the bytes that would end a line or a C string on the wire.
    @inline(__always)
    static func isLineBreaking(_ b: UInt8) -> Bool { b == 0x0D || b == 0x0A || b == 0x00 }

    /// `value` without CR, LF and NUL: what the serializer writes for a header value.
    public static func sanitizedValue(_ value: String) -> String {
        guard value.utf8.contains(where: isLineBreaking) else { return value }
        return String(decoding: value.utf8.filter { !isLineBreaking($0) }, as: UTF8.self)
    }
}
