import Foundation
import HTTPTypes
import Testing
@testable import ControlPlaneHTTP

/// Issue 13: every `maxLength`/`minLength`/`maxItems`/`minItems`/`minimum`/`maximum` that
/// openapi.yaml states for a request is enforced. The cases are generated from the spec: one
/// request per bound, just past it, sent by a caller the permission table allows, must get 422
/// `validation-failed` naming that field. A bound added to the spec is tested without a new line here.
@Suite("Spec limits")
struct SpecLimitsTests {
    static var spec: String {
        get throws { try String(contentsOf: PermissionSweepTests.root.appendingPathComponent("openapi.yaml"), encoding: .utf8) }
    }

    /// One request that oversteps one bound.
    struct Violation: CustomStringConvertible {
        var operationID: String
        var field: String
        var body: Any?
        var query: String?
        var pathParameter: (name: String, value: String)?
        var description: String { "\(operationID) \(field)" }
    }

    /// Walks a schema and yields, for each bound, a minimal value that breaks only that bound.
    static func violations(of schema: SpecLimits.Schema, limits: SpecLimits, depth: Int = 0, seen: Set<String> = [])
        -> [(path: [PathStep], value: Any)] {
        guard depth < 8 else { return [] }
        switch schema {
        case .reference(let name):
            guard !seen.contains(name), let target = limits.schemas[name] else { return [] }
            return violations(of: target, limits: limits, depth: depth + 1, seen: seen.union([name]))
        case .allOf(let parts):
            return parts.flatMap { violations(of: $0, limits: limits, depth: depth + 1, seen: seen) }
        case .unconstrained:
            return []
        case .object(let properties, let additional, let maxProperties, _):
            var result: [(path: [PathStep], value: Any)] = []
            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                result += violations(of: property, limits: limits, depth: depth + 1, seen: seen).map { ([.key(key)] + $0.path, $0.value) }
            }
            if let additional {
                result += violations(of: additional, limits: limits, depth: depth + 1, seen: seen).map { ([.key("extra")] + $0.path, $0.value) }
            }
            if let maxProperties {
                let over = Dictionary(uniqueKeysWithValues: (0...maxProperties).map { ("k\($0)", sample(additional, limits: limits)) })
                result.append(([], over))
            }
            return result
        case .array(let items, let minItems, let maxItems, let perItem):
            var result: [(path: [PathStep], value: Any)] = []
            if let maxItems { result.append(([], Array(repeating: sample(items, limits: limits), count: maxItems + 1))) }
            if let minItems, minItems > 0 { result.append(([], Array(repeating: sample(items, limits: limits), count: minItems - 1))) }
            // Items of a per-item array are refused one by one by the use case (CDR batches: CdrIngestTests).
            if let items, !perItem {
                result += violations(of: items, limits: limits, depth: depth + 1, seen: seen).map { ([.index] + $0.path, $0.value) }
            }
            return result
        case .string(let minLength, let maxLength, _):
            var result: [(path: [PathStep], value: Any)] = []
            if let maxLength { result.append(([], String(repeating: "x", count: maxLength + 1))) }
            if let minLength, minLength > 0 { result.append(([], String(repeating: "x", count: minLength - 1))) }
            return result
        case .number(let minimum, let maximum):
            var result: [(path: [PathStep], value: Any)] = []
            if let maximum { result.append(([], maximum + 1)) }
            if let minimum { result.append(([], minimum - 1)) }
            return result
        }
    }

    enum PathStep { case key(String), index }

    /// An item for an over-long array: its content does not matter, only the count.
    static func sample(_ items: SpecLimits.Schema?, limits: SpecLimits) -> Any {
        switch items {
        case .string?: "x"
        case .number?: 1
        case .reference(let name)?: sample(limits.schemas[name], limits: limits)
        default: [String: Any]()
        }
    }

    /// The request body that carries `value` at `path`, and the field name the problem must report.
    static func embed(_ value: Any, at path: [PathStep]) -> (body: Any, field: String) {
        var field = ""
        for step in path {
            switch step {
            case .key(let key): field += field.isEmpty ? key : "." + key
            case .index: field += "[0]"
            }
        }
        var body = value
        for step in path.reversed() {
            switch step {
            case .key(let key): body = [key: body]
            case .index: body = [body]
            }
        }
        return (body, field.isEmpty ? "(body)" : field)
    }

    static func cases() throws -> [Violation] {
        let limits = try SpecLimits(yaml: spec)
        var result: [Violation] = []
        for (id, operation) in limits.operations.sorted(by: { $0.key < $1.key }) {
            if let body = operation.body {
                for (path, value) in violations(of: body, limits: limits) {
                    let (wrapped, field) = embed(value, at: path)
                    result.append(Violation(operationID: id, field: field, body: wrapped))
                }
            }
            for (name, schema) in operation.query.sorted(by: { $0.key < $1.key }) {
                for (_, value) in violations(of: schema, limits: limits) {
                    let text = (value as? Double).map { String(Int64($0)) } ?? "\(value)"
                    result.append(Violation(operationID: id, field: name, query: "\(name)=\(text)"))
                }
            }
            for (name, schema) in operation.path.sorted(by: { $0.key < $1.key }) {
                for (_, value) in violations(of: schema, limits: limits) {
                    let text = (value as? Double).map { String(Int64($0)) } ?? "\(value)"
                    result.append(Violation(operationID: id, field: name, pathParameter: (name, text)))
                }
            }
        }
        return result
    }

    @Test("the spec's bounds are read: signup, API keys, CDR batches, paging", .tags(.unit))
    func readsTheSpec() throws {
        let limits = try SpecLimits(yaml: Self.spec)
        let signup = try #require(limits.operations["signup"]?.body)
        #expect(limits.issues(body: ["tenantName": String(repeating: "名", count: 201)], operationID: "signup")
                == [.init(field: "tenantName", message: "is 201 characters long; at most 200 are allowed")])
        #expect(limits.issues(body: ["tenantName": String(repeating: "名", count: 200)], operationID: "signup") == [])
        #expect(signup != .unconstrained)
        #expect(limits.issues(body: ["name": "k", "scopes": [String]()], operationID: "createApiKey").map(\.field) == ["scopes"])
        #expect(limits.issues(query: [("limit", "201")], operationID: "listUsers").map(\.field) == ["limit"])
        #expect(limits.issues(query: [("limit", "200")], operationID: "listUsers") == [])
        // A hostile body gets at most maxIssues issues, however many fields break a bound.
        let many = (0..<1000).map { _ in ["name": String(repeating: "x", count: 300)] }
        #expect(limits.issues(body: ["items": many], operationID: "replaceQueueMembers").count <= SpecLimits.maxIssues)
        let generated = try Self.cases().count
        #expect(generated > 40, "generated \(generated) cases")
    }

    /// Request fields the middleware does not bound, and why. Every other string a client sends has a
    /// maxLength (or is an enum/uuid/date) and every array a maxItems: "every body, list and loop is bounded".
    static let unboundedOnPurpose: [String: String] = [:]

    @Test("every string and array a client sends is bounded in openapi.yaml", .tags(.unit))
    func everyRequestFieldIsBounded() throws {
        let limits = try SpecLimits(yaml: Self.spec)
        var unbounded: [String] = []
        func walk(_ schema: SpecLimits.Schema, _ path: String, _ seen: Set<String>) {
            switch schema {
            case .reference(let name):
                if !seen.contains(name), let target = limits.schemas[name] { walk(target, path, seen.union([name])) }
            case .allOf(let parts): parts.forEach { walk($0, path, seen) }
            case .object(let properties, let additional, let maxProperties, _):
                for (key, property) in properties { walk(property, path + "." + key, seen) }
                if let additional {
                    if maxProperties == nil { unbounded.append(path + " (entries)") }
                    walk(additional, path + ".*", seen)
                }
            case .array(let items, _, let maxItems, _):
                if maxItems == nil { unbounded.append(path) }
                if let items { walk(items, path + "[]", seen) }
            case .string(_, let maxLength, let closed):
                if maxLength == nil && !closed { unbounded.append(path) }
            case .number, .unconstrained: break
            }
        }
        for (id, operation) in limits.operations {
            if let body = operation.body { walk(body, id, []) }
            for (name, schema) in operation.query { walk(schema, id + "?" + name, []) }
            for (name, schema) in operation.path { walk(schema, id + "/{" + name + "}", []) }
        }
        let open = unbounded.filter { Self.unboundedOnPurpose[$0] == nil }.sorted()
        #expect(open == [], "\(open.count) request fields have no bound in openapi.yaml:\n\(open.joined(separator: "\n"))")
    }

    @Test("every bound in openapi.yaml, overstepped by one, is a 422 naming the field", .tags(.system))
    func everyBoundIsEnforced() async throws {
        let preference: [Caller] = [.tenantAdmin, .platformStaff, .node, .keyAdmin, .supervisor, .agent, .none]
        try await ControlPlaneHarness.run { h in
            let cases = try Self.cases()
            let operations = Dictionary(try PermissionSweepTests.operations.map { ($0.operationID, $0) }, uniquingKeysWith: { a, _ in a })
            let fixture = try await SweepFixture.make(h)
            var failures: [String] = []
            for violation in cases {
                guard let operation = operations[violation.operationID], let group = PermissionTable.group(of: violation.operationID),
                      let caller = preference.first(where: { group.callers.contains($0) }),
                      let recipe = fixture.recipes[violation.operationID] else {
                    failures.append("\(violation): no operation, permission group or recipe")
                    continue
                }
                let request = try await recipe(caller)
                var path = operation.path
                var parameters = request.parameters
                if let (name, value) = violation.pathParameter { parameters[name] = value }
                for (name, value) in parameters { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
                if let query = violation.query { path += "?" + query }
                guard let method = HTTPRequest.Method(operation.method.uppercased()) else { continue }
                let reply = try await h.call(method, path, token: request.token ?? fixture.tokens[caller], json: violation.body ?? request.json)
                let problem = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any]
                let fields = (problem?["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
                if reply.status != 422 || problem?["type"] as? String != "/problems/validation-failed" && !(problem?["type"] as? String ?? "").hasSuffix("validation-failed") {
                    failures.append("\(violation) as \(caller.rawValue): got \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
                } else if !fields.contains(violation.field) {
                    failures.append("\(violation): 422 names \(fields), not \(violation.field)")
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(cases.count) bounds are not enforced:\n\(failures.joined(separator: "\n"))")
        }
    }

    @Test("a CDR past a bound of the Cdr schema is refused alone, naming the field; the rest of its batch is stored", .tags(.system))
    func cdrBoundsPerCDR() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, _, _) = try await h.signup("acme")
            let node = try await NodeChannelTests.registerNode(h, name: "node-1")
            _ = try await h.call(.get, "/v1/node/config", token: node.credential)  // homes acme on node-1
            let good = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:00:00Z")
            let longCaller = NodeChannelTests.cdr(tenant: tenantID, caller: String(repeating: "9", count: 129), started: "2026-11-25T10:01:00Z")
            var manyInputs = NodeChannelTests.cdr(tenant: tenantID, started: "2026-11-25T10:02:00Z")
            manyInputs["ivrInputs"] = Dictionary(uniqueKeysWithValues: (0...500).map { ("k\($0)", "1") })
            let atBound = NodeChannelTests.cdr(tenant: tenantID, caller: String(repeating: "名", count: 128), started: "2026-11-25T10:03:00Z")
            let reply = try await h.call(.post, "/v1/node/cdrs", token: node.credential, json: ["cdrs": [good, longCaller, manyInputs, atBound]])
            #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
            let id = { (cdr: [String: Any]) in cdr["id"] as? String ?? "" }
            #expect(reply["stored"] as? [String] == [id(good), id(atBound)])
            let rejected = (reply["rejected"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["detail"] as? String ?? "") }
            #expect(rejected.map(\.0) == [id(longCaller), id(manyInputs)])
            #expect(rejected.first?.1.contains("cdrs[1].caller: is 129 characters long; at most 128") == true, "\(rejected)")
            #expect(rejected.last?.1.contains("cdrs[2].ivrInputs: has 501 entries; at most 500") == true, "\(rejected)")
        }
    }
}
