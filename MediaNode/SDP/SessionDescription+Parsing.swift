extension SessionDescription {
    /// Parses an SDP body (RFC 4566 §5). Accepts CRLF or bare LF line ends; type letters
    /// outside the grammar are kept as uninterpreted lines.
    public init(parsing text: String) throws(SDPParseError) {
        var version: Int?
        var origin: Origin?
        var sessionName: String?
        var connection: Connection?
        var otherLines: [SDPLine] = []
        var timing: [String] = []
        var attributes: [SDPAttribute] = []
        var media: [MediaDescription] = []

        // Some UAs NUL-terminate the body; that NUL is not part of a line.
        var body = Substring(text)
        while body.unicodeScalars.last == "\0" { body = body.dropLast() }
        var lineNumber = 0
        for rawLine in body.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            while line.last == "\r" { line = line.dropLast() }
            if line.isEmpty { continue }
            // RFC 4566 §9 byte-string excludes NUL, CR and LF; a CR left inside a value (`a=x\r\r`
            // split at the last CRLF) did not survive serialize → parse.
            guard !line.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\0" }) else {
                throw .invalidField(lineNumber, "CR or NUL inside a line")
            }
            guard line.count >= 2, let type = line.first, line[line.index(after: line.startIndex)] == "=" else {
                throw .malformedLine(lineNumber)
            }
            let value = String(line.dropFirst(2))

            if var current = media.popLast() {
                // Media-level section (RFC 4566 §5: m= starts a media description).
                switch type {
                case "m":
                    media.append(current)
                    media.append(try Self.parseMedia(value, line: lineNumber))
                    continue
                case "c": current.connection = try Self.parseConnection(value, line: lineNumber)
                case "a": current.attributes.append(Self.parseAttribute(value))
                case "i", "b", "k": current.otherLines.append(SDPLine(type: type, value: value))
                default: throw .outOfOrder(lineNumber, "\(type)= is not allowed in a media section")
                }
                media.append(current)
                continue
            }
            switch type {
            case "v":
                guard let v = Int(value) else { throw .invalidField(lineNumber, "version") }
                version = v
            case "o": origin = try Self.parseOrigin(value, line: lineNumber)
            case "s": sessionName = value
            case "c": connection = try Self.parseConnection(value, line: lineNumber)
            case "t": timing.append(value)
            case "a": attributes.append(Self.parseAttribute(value))
            case "m": media.append(try Self.parseMedia(value, line: lineNumber))
            default: otherLines.append(SDPLine(type: type, value: value))
            }
        }
        guard let version else { throw .missingRequiredLine("v") }
        guard let origin else { throw .missingRequiredLine("o") }
        guard let sessionName else { throw .missingRequiredLine("s") }
        self.init(
            version: version, origin: origin, sessionName: sessionName, connection: connection,
            otherLines: otherLines, timing: timing.isEmpty ? ["0 0"] : timing,
            attributes: attributes, media: media
        )
    }

    private static func fields(_ value: String) -> [Substring] {
        value.split(separator: " ", omittingEmptySubsequences: true)
    }

    static func parseOrigin(_ value: String, line: Int) throws(SDPParseError) -> Origin {
        let f = fields(value)
        guard f.count == 6, let id = UInt64(f[1]), let version = UInt64(f[2]) else {
            throw .invalidField(line, "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>")
        }
        return Origin(
            username: String(f[0]), sessionID: id, sessionVersion: version,
            networkType: String(f[3]), addressType: String(f[4]), address: String(f[5])
        )
    }

    static func parseConnection(_ value: String, line: Int) throws(SDPParseError) -> Connection {
        let f = fields(value)
        guard f.count == 3 else { throw .invalidField(line, "c= needs <nettype> <addrtype> <address>") }
        return Connection(networkType: String(f[0]), addressType: String(f[1]), address: String(f[2]))
    }

    static func parseAttribute(_ value: String) -> SDPAttribute {
        guard let colon = value.firstIndex(of: ":") else { return SDPAttribute(value) }
        return SDPAttribute(String(value[..<colon]), String(value[value.index(after: colon)...]))
    }

    static func parseMedia(_ value: String, line: Int) throws(SDPParseError) -> MediaDescription {
        let f = fields(value)
        guard f.count >= 3 else { throw .invalidField(line, "m= needs <media> <port> <proto> <fmt> ...") }
        // `<port>[/<number of ports>]`; "/" alone or "1/2/3" used to be read by index.
        let portField = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portField.count <= 2, let port = decimal(portField[0], max: 65535) else {
            throw .invalidField(line, "m= port")
        }
        var count: Int?
        if portField.count == 2 {
            guard let c = decimal(portField[1], max: 65535), c >= 1 else { throw .invalidField(line, "m= port count") }
            count = c
        }
        return MediaDescription(
            media: String(f[0]), port: port, portCount: count, transport: String(f[2]),
            formats: f.dropFirst(3).map(String.init)
        )
    }

    /// A decimal number of 1…5 ASCII digits no larger than `max` (no sign, no spaces: `Int("+5")` accepts a sign).
    static func decimal(_ text: Substring, max: Int) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text), value <= max
        else { return nil }
        return value
    }
}
