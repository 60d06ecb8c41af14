/// One problem found while validating a configuration value.
///
/// `field` is a JSON path into the validated document (`"escalation[1].afterSeconds"`,
/// `"nodes.main.next"`), `message` a sentence for a human. The control plane returns
/// these as the `errors` member of an `application/problem+json` response.
public struct ValidationIssue: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// JSON path of the offending field, relative to the validated document.
    public var field: String
    /// What is wrong, for a human.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Collects issues while walking a configuration value, keeping field paths short to write.
struct ValidationCollector {
    private(set) var issues: [ValidationIssue] = []
    private let prefix: String

    init(prefix: String = "") { self.prefix = prefix }

    func path(_ field: String) -> String {
        if prefix.isEmpty { return field }
        if field.hasPrefix("[") { return prefix + field }
        return prefix + "." + field
    }

    mutating func add(_ field: String, _ message: String) {
        issues.append(ValidationIssue(field: path(field), message: message))
    }

    /// Adds an issue unless `condition` holds.
    mutating func require(_ condition: Bool, _ field: String, _ message: @autoclosure () -> String) {
        if !condition { add(field, message()) }
    }

    mutating func merge(_ other: [ValidationIssue]) { issues.append(contentsOf: other) }

    func nested(_ field: String) -> ValidationCollector { ValidationCollector(prefix: path(field)) }
}
