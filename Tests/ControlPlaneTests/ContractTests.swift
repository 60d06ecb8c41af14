import Foundation
import ControlPlaneCore
import HTTPTypes
import Testing
@testable import ControlPlaneHTTP

/// The contract's rules, checked on openapi.yaml itself (issue 13): every operation declares the
/// problems it can give, with `application/problem+json` through shared responses; creating POSTs
/// declare `Location` and accept `Idempotency-Key`.
@Suite("openapi.yaml declares its errors", .tags(.unit))
struct ContractTests {
    static var spec: String {
        get throws { try String(contentsOf: PermissionSweepTests.root.appendingPathComponent("openapi.yaml"), encoding: .utf8) }
    }

    /// The 4xx responses `operation` must declare, and why. `boundedParameters`: the shared
    /// parameters with a bound SpecLimitsMiddleware enforces.
    static func required(_ operation: OpenAPIOperation, boundedParameters: Set<String> = []) -> [Int: String] {
        var required: [Int: String] = [:]
        if !operation.isPublic {
            required[401] = "it needs a credential"
            required[403] = "it needs a credential (a valid one may lack the permission)"
        }
        if !operation.parameters.isEmpty { required[400] = "it has parameters (a malformed one is a 400)" }
        if operation.hasPathParameter { required[404] = "it names a resource in its path" }
        if operation.hasRequestBody {
            required[400] = "it takes a body (unparsable JSON, wrong content type)"
            required[413] = "it takes a body (bounded by RequestLimitsMiddleware)"
            required[422] = "it takes a body (validation)"
        }
        if operation.creates {
            required[409] = "it accepts Idempotency-Key (a retry while the first is in flight)"
            required[422] = "it accepts Idempotency-Key (the key reused with another request)"
        }
        if operation.parameters.contains(where: boundedParameters.contains) || Self.hasBound(operation.parameterText) {
            required[422] = "a parameter has a bound (SpecLimitsMiddleware answers 422 beyond it)"
        }
        if ["login", "getEvents"].contains(operation.operationID) { required[429] = "it is throttled" }
        if operation.operationID == "getEvents" { required[426] = "it answers plain GETs with 426" }
        return required
    }

    @Test("every operation declares the 4xx it can give (credential → 401+403, path id → 404, body → 400+413+422, Idempotency-Key → 409+422, throttled → 429)")
    func operationsDeclareTheirProblems() throws {
        let text = try Self.spec
        let operations = OpenAPIOperation.read(text)
        #expect(operations.count > 90)
        let bounded = Set(Self.componentParameters(text).filter { Self.hasBound($0.value) }.keys)
        #expect(bounded.isSuperset(of: ["Limit", "PromptName", "FlowName", "Alias", "FlowVersion"]), "\(bounded)")
        var missing: [String] = []
        for operation in operations {
            for (status, why) in Self.required(operation, boundedParameters: bounded).sorted(by: { $0.key < $1.key })
            where operation.responses["\(status)"] == nil {
                missing.append("\(operation) must declare \(status): \(why)")
            }
        }
        #expect(missing.isEmpty, "\(missing.count) missing:\n\(missing.joined(separator: "\n"))")
    }

    @Test("every declared 4xx is a shared problem response of the right status; 401 declares WWW-Authenticate, 429 Retry-After")
    func problemsAreShared() throws {
        let text = try Self.spec
        let components = Self.componentResponses(text)
        let expectedName: [Int: String] = [400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
                                           413: "ContentTooLarge", 422: "UnprocessableContent", 426: "UpgradeRequired", 429: "TooManyRequests"]
        for (status, name) in expectedName {
            let body = try #require(components[name], "components/responses has no \(name)")
            #expect(body.contains("application/problem+json:"), "\(name) is not application/problem+json")
            #expect(body.contains("$ref: '#/components/schemas/Problem'"), "\(name) does not use the Problem schema")
            _ = status
        }
        #expect(components["Unauthorized"]?.contains("WWW-Authenticate:") == true)
        #expect(components["TooManyRequests"]?.contains("Retry-After:") == true)
        var wrong: [String] = []
        for operation in OpenAPIOperation.read(text) {
            for (code, declaration) in operation.responses {
                guard let status = Int(code), (400..<500).contains(status) else { continue }
                // The event stream's 400 is also the WebSocket library's empty refusal, described inline.
                if operation.operationID == "getEvents", status == 400 { continue }
                let reference = "$ref: '#/components/responses/\(expectedName[status] ?? "?")'"
                if !declaration.contains(reference) { wrong.append("\(operation) \(code): \(declaration)") }
            }
        }
        #expect(wrong.isEmpty, "4xx responses not referencing the shared problem response:\n\(wrong.joined(separator: "\n"))")
    }

    @Test("the Problem schema has exactly ProblemDocument's fields")
    func problemSchemaMatchesProblemDocument() throws {
        let text = try Self.spec
        let start = try #require(text.range(of: "\n    Problem:\n      type: object"))
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n    FieldError:")?.lowerBound ?? rest.endIndex
        let properties = rest[..<end].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("        "), !line.hasPrefix("         ") else { return nil }
            return String(line.dropFirst(8).prefix { $0 != ":" })
        }
        let document = ProblemDocument(status: .conflict, code: "conflict", detail: "d", errors: [.init(field: "f", message: "m")])
        var encoded = document
        encoded.instance = "/v1/x"
        let json = try JSONSerialization.jsonObject(with: encoded.encoded()) as? [String: Any] ?? [:]
        #expect(Set(properties) == Set(json.keys), "schema \(properties.sorted()) vs ProblemDocument \(json.keys.sorted())")
    }

    @Test("creating POSTs: 201 declares Location, Idempotency-Key is a header parameter of 1–255 characters")
    func creatingOperations() throws {
        let text = try Self.spec
        let operations = OpenAPIOperation.read(text)
        let creating = operations.filter { $0.responses["201"] != nil }
        #expect(creating.count >= 11)
        for operation in creating {
            #expect(operation.responses["201"]?.contains("Location: { $ref: '#/components/headers/Location' }") == true, "\(operation) 201 has no Location")
            if operation.creates {
                #expect(operation.parameters.contains("IdempotencyKey"), "\(operation) does not accept Idempotency-Key")
            }
        }
        #expect(text.contains("""
                IdempotencyKey:
                  name: Idempotency-Key
                  in: header
            """))
        #expect(text.contains("schema: { type: string, minLength: 1, maxLength: 255 }"))
        let idempotent = operations.filter { $0.parameters.contains("IdempotencyKey") }.map(\.operationID)
        #expect(Set(idempotent) == IdempotencyMiddleware.operations, "the middleware and the spec disagree on which operations take Idempotency-Key")
    }

    @Test("every problem type the code can emit has a documentation page; ControlPlaneError codes map one way")
    func everyProblemTypeIsDocumented() {
        for code in ControlPlaneError.Code.allCases {
            let type = ProblemType.of(code)
            #expect(ProblemType.named(code.rawValue) == type)
            #expect(ProblemDocument(ControlPlaneError(code, "x")).type == "/docs/problems/\(code.rawValue)")
            #expect(ProblemDocument(ControlPlaneError(code, "x")).status == Int(type.status.code))
            #expect(APIDocuments.page(type).contains(code.rawValue))
        }
        #expect(Set(ProblemType.all.map(\.code)).count == ProblemType.all.count, "a problem code is used twice")
        for status in [HTTPResponse.Status.notFound, .requestTimeout, .contentTooLarge] {
            #expect(ProblemType.http(status).status == status)
        }
        #expect(!APIDocuments.problemIndex.contains("<script"), "no inline script (a CSP comes later)")
    }

    static func hasBound(_ declaration: String) -> Bool {
        ["maxLength", "minLength", "minimum", "maximum", "maxItems", "minItems"].contains { declaration.contains($0) }
    }

    /// `components: parameters:` entries by name, each with its lines.
    static func componentParameters(_ text: String) -> [String: String] { componentSection("parameters", text) }

    /// `components: responses:` entries by name, each with its lines.
    static func componentResponses(_ text: String) -> [String: String] { componentSection("responses", text) }

    static func componentSection(_ section: String, _ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var inComponents = false, inResponses = false
        var name: String?
        for line in text.split(separator: "\n").map(String.init) {
            if !line.hasPrefix(" ") { inComponents = line == "components:"; inResponses = false; continue }
            guard inComponents else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   ") { inResponses = line == "  \(section):"; name = nil; continue }
            guard inResponses else { continue }
            if line.hasPrefix("    "), !line.hasPrefix("     ") {
                name = String(line.dropFirst(4).prefix { $0 != ":" })
                result[name ?? ""] = String(line.drop { $0 != ":" }) + "\n"
            } else if let name {
                result[name, default: ""] += line + "\n"
            }
        }
        return result
    }
}

extension OpenAPIOperation {
    /// A POST that creates a resource for an authenticated principal: accepts Idempotency-Key.
    var creates: Bool { method == "post" && responses["201"] != nil && !isPublic }
}
