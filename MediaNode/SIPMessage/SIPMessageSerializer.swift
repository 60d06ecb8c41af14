// Wire form of messages (RFC 3261 §7). Content-Length is always written from the body.

extension SIPRequest {
    /// The request as bytes: request line, headers in order, Content-Length, body.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + body.count)
        out.append(contentsOf: "\(method.rawValue) \(uri.description) \(version)\r\n".utf8)
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
        out.append(contentsOf: "\(version) \(statusCode) \(reasonPhrase)\r\n".utf8)
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
            out.append(contentsOf: f.value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "Content-Length: \(bodyCount)\r\n\r\n".utf8)
    }
}
