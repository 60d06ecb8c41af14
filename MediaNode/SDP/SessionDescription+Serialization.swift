extension SessionDescription {
    /// The SDP body with CRLF line ends in RFC 4566 §5 order.
    public var serialized: String {
        var out = ""
        func line(_ type: Character, _ value: String) {
            out.append(type)
            out.append("=")
            out.append(value)
            out.append("\r\n")
        }
        line("v", String(version))
        line(
            "o",
            "\(origin.username) \(origin.sessionID) \(origin.sessionVersion) \(origin.networkType) \(origin.addressType) \(origin.address)"
        )
        line("s", sessionName.isEmpty ? "-" : sessionName)
        // RFC 4566 §5: i u e p come before c; b and z, k after it.
        let beforeConnection: Set<Character> = ["i", "u", "e", "p"]
        for other in otherLines where beforeConnection.contains(other.type) { line(other.type, other.value) }
        if let connection { line("c", connection.serializedValue) }
        for other in otherLines where other.type == "b" { line(other.type, other.value) }
        for value in timing { line("t", value) }
        for other in otherLines where !beforeConnection.contains(other.type) && other.type != "b" {
            line(other.type, other.value)
        }
        for attribute in attributes { line("a", attribute.serializedValue) }
        for m in media {
            var header = "\(m.media) \(m.port)"
            if let count = m.portCount { header += "/\(count)" }
            header += " \(m.transport)"
            for format in m.formats { header += " \(format)" }
            line("m", header)
            for other in m.otherLines where other.type == "i" { line(other.type, other.value) }
            if let connection = m.connection { line("c", connection.serializedValue) }
            for other in m.otherLines where other.type != "i" { line(other.type, other.value) }
            for attribute in m.attributes { line("a", attribute.serializedValue) }
        }
        return out
    }
}

extension Connection {
    var serializedValue: String { "\(networkType) \(addressType) \(address)" }
}

extension SDPAttribute {
    var serializedValue: String { value.map { "\(name):\($0)" } ?? name }
}
