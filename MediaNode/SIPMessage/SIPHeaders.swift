/// One header field line as received or to be sent; `value` is unfolded and trimmed.
public struct SIPHeaderField: Hashable, Sendable {
    public var name: SIPHeaderName
    public var value: String

    public init(name: SIPHeaderName, value: String) {
        self.name = name
        self.value = value
    }
}

/// The ordered header fields of a message (RFC 3261 §7.3). Order is kept; lookups compare names
/// case-insensitively with compact forms expanded.
public struct SIPHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [SIPHeaderField]

    public init() { fields = [] }
    public init(_ fields: [SIPHeaderField]) { self.fields = fields }
    public init(dictionaryLiteral elements: (SIPHeaderName, String)...) {
        fields = elements.map { SIPHeaderField(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }
    public var count: Int { fields.count }

    /// The value of the first field with this name.
    public subscript(_ name: SIPHeaderName) -> String? {
        for f in fields where f.name == name { return f.value }
        return nil
    }

    /// The values of every field line with this name, in order.
    public func values(_ name: SIPHeaderName) -> [String] {
        fields.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Every element of a comma-separated list header across all its lines (RFC 3261 §7.3.1).
    public func listValues(_ name: SIPHeaderName) -> [Substring] {
        var out: [Substring] = []
        for f in fields where f.name == name {
            out.append(contentsOf: SIPHeaders.splitList(f.value))
        }
        return out
    }

    public func contains(_ name: SIPHeaderName) -> Bool { fields.contains { $0.name == name } }

    /// Appends a field after the existing ones.
    public mutating func add(_ name: SIPHeaderName, _ value: String) {
        fields.append(SIPHeaderField(name: name, value: value))
    }

    /// Inserts a field before all others (a new top Via, RFC 3261 §8.1.1.7).
    public mutating func prepend(_ name: SIPHeaderName, _ value: String) {
        fields.insert(SIPHeaderField(name: name, value: value), at: 0)
    }

    /// Replaces every field with this name by one field at the position of the first.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        if let i = fields.firstIndex(where: { $0.name == name }) {
            fields[i].value = value
            var j = fields.count - 1
            while j > i {
                if fields[j].name == name { fields.remove(at: j) }
                j -= 1
            }
        } else {
            add(name, value)
        }
    }

    public mutating func remove(_ name: SIPHeaderName) {
        fields.removeAll { $0.name == name }
    }

    /// Removes the first element of a list header (e.g. the top Via or the first Route entry).
    public mutating func removeFirstListElement(_ name: SIPHeaderName) {
        guard let i = fields.firstIndex(where: { $0.name == name }) else { return }
        let parts = SIPHeaders.splitList(fields[i].value)
        if parts.count <= 1 {
            fields.remove(at: i)
        } else {
            fields[i].value = parts.dropFirst().joined(separator: ", ")
        }
    }

    /// Splits at commas outside quoted strings and `<...>`; elements are trimmed.
    public static func splitList(_ value: String) -> [Substring] {
        var out: [Substring] = []
        let utf8 = value.utf8
        var start = utf8.startIndex
        var inQuotes = false
        var inAngle = false
        var escaped = false
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let b = utf8[i]
            if escaped {
                escaped = false
            } else if inQuotes {
                if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inQuotes = false }
            } else if b == UInt8(ascii: "\"") {
                inQuotes = true
            } else if b == UInt8(ascii: "<") {
                inAngle = true
            } else if b == UInt8(ascii: ">") {
                inAngle = false
            } else if b == UInt8(ascii: ","), !inAngle {
                out.append(SIPGrammar.trimmed(value[start..<i]))
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out.append(SIPGrammar.trimmed(value[start..<utf8.endIndex]))
        return out
    }
}

extension SIPHeaders {
    /// Replaces the first element of a list header (e.g. the top Via), keeping the others.
    public mutating func replaceFirstListElement(_ name: SIPHeaderName, with value: String) {
        guard let i = fields.firstIndex(where: { $0.name == name }) else { return }
        let parts = SIPHeaders.splitList(fields[i].value)
        fields[i].value = ([Substring(value)] + parts.dropFirst()).joined(separator: ", ")
    }
}
