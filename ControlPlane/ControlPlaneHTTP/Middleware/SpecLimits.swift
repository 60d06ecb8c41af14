import CallCenterModel
import ControlPlaneCore
import Foundation
import Yams

/// The bounds `openapi.yaml` states for what a client sends — `maxLength`/`minLength` on strings,
/// `maxItems`/`minItems` on arrays, `minimum`/`maximum` on numbers — read from the spec itself, so
/// the contract and the check cannot drift apart (issue 13). The generated server decodes types,
/// required fields and enums but enforces none of these; `SpecLimitsMiddleware` runs this before
/// the operation's input is decoded.
///
/// Only what the spec states is checked, and only where the request has a value: required fields,
/// types and formats remain the decoder's and the use cases' job. A `$ref` is resolved lazily, so
/// recursive schemas are fine (the walk follows the request's nesting, which the JSON parser bounds).
struct SpecLimits: Sendable {
    indirect enum Schema: Sendable, Equatable {
        case object(properties: [String: Schema], additional: Schema?, maxProperties: Int?, propertyNames: Schema?)
        /// `perItem` (`x-cc-bounds: per-item` in the spec): an item that breaks a bound is the use
        /// case's to refuse alone (a CDR batch answers per CDR), not a reason to refuse the request.
        case array(items: Schema?, minItems: Int?, maxItems: Int?, perItem: Bool)
        /// `closed`: an `enum` or a fixed-size `format` (uuid, date, date-time) bounds it without a maxLength.
        case string(minLength: Int?, maxLength: Int?, closed: Bool)
        case number(minimum: Double?, maximum: Double?)
        case allOf([Schema])
        case reference(String)
        case unconstrained
    }

    struct Operation: Sendable, Equatable {
        /// The `application/json` request body's schema, if the operation takes one.
        var body: Schema?
        /// Query parameters by name.
        var query: [String: Schema]
        /// Path parameters by name.
        var path: [String: Schema]
    }

    /// The most issues one answer lists: enough to fix a request, bounded for a hostile one.
    static let maxIssues = 20

    let operations: [String: Operation]
    let schemas: [String: Schema]

    /// Reads the spec text. Throws when it is not YAML; unknown constructs become `.unconstrained`.
    init(yaml: String) throws {
        guard let root = try Yams.load(yaml: yaml) as? [String: Any] else { throw SpecError(description: "openapi.yaml is not a YAML mapping") }
        let components = root["components"] as? [String: Any] ?? [:]
        var schemas: [String: Schema] = [:]
        for (name, value) in components["schemas"] as? [String: Any] ?? [:] {
            schemas[name] = Self.schema(value)
        }
        let sharedParameters = components["parameters"] as? [String: Any] ?? [:]
        func parameter(_ value: Any) -> [String: Any]? {
            guard let value = value as? [String: Any] else { return nil }
            if let ref = value["$ref"] as? String, let name = ref.split(separator: "/").last {
                return sharedParameters[String(name)] as? [String: Any]
            }
            return value
        }
        var operations: [String: Operation] = [:]
        for (_, item) in root["paths"] as? [String: Any] ?? [:] {
            guard let item = item as? [String: Any] else { continue }
            let pathLevel = (item["parameters"] as? [Any] ?? []).compactMap(parameter)
            for method in ["get", "put", "post", "delete", "patch"] {
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String else { continue }
                var result = Operation(body: nil, query: [:], path: [:])
                for p in pathLevel + (operation["parameters"] as? [Any] ?? []).compactMap(parameter) {
                    guard let name = p["name"] as? String, let schema = p["schema"] else { continue }
                    switch p["in"] as? String {
                    case "query": result.query[name] = Self.schema(schema)
                    case "path": result.path[name] = Self.schema(schema)
                    default: break
                    }
                }
                if let body = operation["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any],
                   let json = content["application/json"] as? [String: Any], let schema = json["schema"] {
                    result.body = Self.schema(schema)
                }
                operations[id] = result
            }
        }
        self.operations = operations
        self.schemas = schemas
    }

    /// The `openapi.yaml` this build was generated from, compiled into the binary
    /// (`.embedInCode`: no resource bundle to ship or lose beside the executable).
    static let specText = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)

    /// The limits of the `openapi.yaml` this build was generated from.
    static func bundled() throws -> SpecLimits {
        try SpecLimits(yaml: specText)
    }

    struct SpecError: Error, CustomStringConvertible { var description: String }

    static func schema(_ value: Any) -> Schema {
        guard let value = value as? [String: Any] else { return .unconstrained }
        if let ref = value["$ref"] as? String, let name = ref.split(separator: "/").last { return .reference(String(name)) }
        if let parts = value["allOf"] as? [Any] { return .allOf(parts.map(schema)) }
        let types: [String] = (value["type"] as? String).map { [$0] } ?? (value["type"] as? [String] ?? [])
        func int(_ key: String) -> Int? { value[key] as? Int }
        func double(_ key: String) -> Double? { (value[key] as? Double) ?? (value[key] as? Int).map(Double.init) }
        if types.contains("object") || value["properties"] != nil {
            var properties: [String: Schema] = [:]
            for (name, property) in value["properties"] as? [String: Any] ?? [:] { properties[name] = schema(property) }
            let additional = (value["additionalProperties"] as? [String: Any]).map(schema)
            let names = (value["propertyNames"] as? [String: Any]).map { names in
                Schema.string(minLength: names["minLength"] as? Int, maxLength: names["maxLength"] as? Int, closed: names["enum"] != nil)
            }
            return .object(properties: properties, additional: additional, maxProperties: int("maxProperties"), propertyNames: names)
        }
        if types.contains("array") {
            return .array(items: value["items"].map(schema), minItems: int("minItems"), maxItems: int("maxItems"),
                          perItem: value["x-cc-bounds"] as? String == "per-item")
        }
        if types.contains("string") {
            let closed = value["enum"] != nil || ["uuid", "date", "date-time"].contains(value["format"] as? String ?? "")
            return .string(minLength: int("minLength"), maxLength: int("maxLength"), closed: closed)
        }
        if types.contains("integer") || types.contains("number") { return .number(minimum: double("minimum"), maximum: double("maximum")) }
        return .unconstrained
    }

    // MARK: Checking

    /// What is wrong with a request body: `request` refuses the request; `items` are the issues of
    /// items of per-item arrays, by the array's field and the item's index, for the use case to
    /// refuse one by one.
    struct BodyIssues: Sendable {
        var request: [ValidationIssue] = []
        var items: [String: [Int: [ValidationIssue]]] = [:]
    }

    /// The per-item issues of the body being handled (set by `SpecLimitsMiddleware`).
    @TaskLocal static var currentItemIssues: [String: [Int: [ValidationIssue]]] = [:]

    /// The issues of a JSON request body (already parsed) against `operationID`'s body schema.
    func issues(body json: Any, operationID: String) -> [ValidationIssue] {
        bodyIssues(json, operationID: operationID).request
    }

    func bodyIssues(_ json: Any, operationID: String) -> BodyIssues {
        guard let schema = operations[operationID]?.body else { return BodyIssues() }
        var result = BodyIssues()
        check(json, against: schema, at: "", into: &result.request, items: &result.items)
        return result
    }

    /// The issues of query (or path) parameters, raw strings as sent, against `operationID`'s parameters.
    func issues(query: [(name: String, value: String)], operationID: String,
                in location: KeyPath<Operation, [String: Schema]> = \.query) -> [ValidationIssue] {
        guard let operation = operations[operationID] else { return [] }
        var issues: [ValidationIssue] = []
        for (name, raw) in query {
            guard let schema = operation[keyPath: location][name], issues.count < Self.maxIssues else { continue }
            let value: Any = if case .number = resolved(schema), let number = Double(raw) { number } else { raw }
            var ignored: [String: [Int: [ValidationIssue]]] = [:]
            check(value, against: schema, at: name, into: &issues, items: &ignored)
        }
        return issues
    }

    private func resolved(_ schema: Schema) -> Schema {
        var schema = schema
        var hops = 0
        while case .reference(let name) = schema, hops < 16 {
            schema = schemas[name] ?? .unconstrained
            hops += 1
        }
        return schema
    }

    private func check(_ value: Any, against schema: Schema, at path: String, into issues: inout [ValidationIssue],
                       items itemIssues: inout [String: [Int: [ValidationIssue]]]) {
        guard issues.count < Self.maxIssues else { return }
        func issue(_ message: String) {
            issues.append(ValidationIssue(field: path.isEmpty ? "(body)" : path, message: message))
        }
        switch resolved(schema) {
        case .reference, .unconstrained:
            return
        case .allOf(let parts):
            for part in parts { check(value, against: part, at: path, into: &issues, items: &itemIssues) }
        case .object(let properties, let additional, let maxProperties, let propertyNames):
            guard let object = value as? [String: Any] else { return }
            if let maxProperties, object.count > maxProperties { issue("has \(object.count) entries; at most \(maxProperties) are allowed"); return }
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                guard issues.count < Self.maxIssues else { return }
                if let propertyNames { check(key, against: propertyNames, at: (path.isEmpty ? "" : path + ".") + "(key \(key.prefix(20)))", into: &issues, items: &itemIssues) }
                guard let memberSchema = properties[key] ?? additional else { continue }
                check(member, against: memberSchema, at: path.isEmpty ? key : path + "." + key, into: &issues, items: &itemIssues)
            }
        case .array(let items, let minItems, let maxItems, let perItem):
            guard let array = value as? [Any] else { return }
            if let maxItems, array.count > maxItems { issue("has \(array.count) items; at most \(maxItems) are allowed"); return }
            if let minItems, array.count < minItems { issue("has \(array.count) items; at least \(minItems) are required") }
            guard let items else { return }
            for (index, element) in array.enumerated() {
                guard issues.count < Self.maxIssues else { return }
                if perItem {
                    var found: [ValidationIssue] = []
                    check(element, against: items, at: path + "[\(index)]", into: &found, items: &itemIssues)
                    if !found.isEmpty { itemIssues[path, default: [:]][index] = found }
                } else {
                    check(element, against: items, at: path + "[\(index)]", into: &issues, items: &itemIssues)
                }
            }
        case .string(let minLength, let maxLength, _):
            guard let string = value as? String else { return }
            // JSON Schema counts characters as Unicode code points.
            let length = string.unicodeScalars.count
            if let maxLength, length > maxLength { issue("is \(length) characters long; at most \(maxLength) are allowed") }
            if let minLength, length < minLength { issue(minLength == 1 ? "must not be empty" : "is \(length) characters long; at least \(minLength) are required") }
        case .number(let minimum, let maximum):
            // `is Bool` would also match NSNumbers 0 and 1 on Linux: only a real Bool is not a number.
            guard type(of: value) != Bool.self, let number = (value as? Double) ?? (value as? NSNumber)?.doubleValue ?? (value as? Int).map(Double.init)
            else { return }
            if let maximum, number > maximum { issue("is \(Self.format(number)); at most \(Self.format(maximum)) is allowed") }
            if let minimum, number < minimum { issue("is \(Self.format(number)); at least \(Self.format(minimum)) is required") }
        }
    }

    private static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
