/// A `name[=value]` parameter of a URI or header (RFC 3261 §19.1.1, §20). Names compare
/// case-insensitively; values are kept as received (URI parameters are %-decoded once).
public struct SIPParameter: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == SIPParameter {
    /// The first parameter with this name (case-insensitive); `.some(nil)` for a flag parameter.
    public func parameter(_ name: String) -> String?? {
        for p in self where p.name.lowercased() == name.lowercased() { return .some(p.value) }
        return nil
    }

    /// True if a parameter with this name is present, with or without a value.
    public func has(_ name: String) -> Bool { parameter(name) != nil }

    /// Sets (or adds) a parameter, keeping order.
    public mutating func set(_ name: String, _ value: String?) {
        if let i = firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
            self[i].value = value
        } else {
            append(SIPParameter(name, value))
        }
    }

    public mutating func remove(_ name: String) {
        removeAll { $0.name.lowercased() == name.lowercased() }
    }
}
