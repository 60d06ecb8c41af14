/// Text with placeholders, used by prompts, HTTP URLs, headers and bodies and transfer targets:
/// `"Your balance is {{balance|amount}}"`. A placeholder is a variable name with an optional
/// format: `text` (default), `number`, `amount`, `digits`, `date`, `time` (spoken forms in the
/// current language) or `json` (a JSON string literal, for request bodies) or `url` (percent-encoded).
public struct IVRTemplate: Sendable, Equatable, Hashable {
    public enum Format: String, Sendable, CaseIterable { case text, number, amount, digits, date, time, json, url }

    public enum Part: Sendable, Equatable, Hashable {
        case literal(String)
        case placeholder(variable: String, format: Format)
    }

    public var parts: [Part]

    /// Parses a template; throws ``IVRExpressionError`` naming the bad placeholder.
    public static func parse(_ source: String) throws(IVRExpressionError) -> IVRTemplate {
        var parts: [Part] = []
        var rest = Substring(source)
        var offset = 0
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            let at = offset + rest.distance(from: rest.startIndex, to: open.lowerBound)
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw IVRExpressionError(.syntax, "'{{' without '}}'", offset: at)
            }
            let inner = rest[open.upperBound..<close.lowerBound]
            let pieces = inner.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard (1...2).contains(pieces.count), Self.isVariableName(pieces[0]) else {
                throw IVRExpressionError(.syntax, "placeholder '{{\(inner)}}' must be a variable name with an optional |format", offset: at)
            }
            var format = Format.text
            if pieces.count == 2 {
                guard let f = Format(rawValue: pieces[1]) else {
                    throw IVRExpressionError(.syntax, "unknown format '\(pieces[1])' (use \(Format.allCases.map(\.rawValue).joined(separator: ", ")))", offset: at)
                }
                format = f
            }
            parts.append(.placeholder(variable: pieces[0], format: format))
            offset += rest.distance(from: rest.startIndex, to: close.upperBound)
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return IVRTemplate(parts: parts)
    }

    public init(parts: [Part]) { self.parts = parts }

    /// Variable names the template reads.
    public var variables: Set<String> {
        Set(parts.compactMap { if case .placeholder(let v, _) = $0 { v } else { nil } })
    }

    static func isVariableName(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
