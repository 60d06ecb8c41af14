import ControlPlaneAPI
import ControlPlaneCore
import Foundation
import OpenAPIRuntime

/// The API documentation the control plane serves, without credentials: the OpenAPI document and a
/// page per problem type (the target of every problem's `type`). Plain HTML without scripts or
/// styles, so a strict Content-Security-Policy can be added later.
extension APIHandler {
    func getOpenApiDocument(_ input: Operations.GetOpenApiDocument.Input) async throws -> Operations.GetOpenApiDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(APIDocuments.openAPI))))
    }

    func listProblemTypes(_ input: Operations.ListProblemTypes.Input) async throws -> Operations.ListProblemTypes.Output {
        .ok(.init(body: .html(HTTPBody(APIDocuments.problemIndex))))
    }

    func getProblemType(_ input: Operations.GetProblemType.Input) async throws -> Operations.GetProblemType.Output {
        guard let type = ProblemType.named(input.path.problemType) else {
            throw ControlPlaneError(.notFound, "There is no problem type '\(input.path.problemType.prefix(64))'; /docs/problems lists them all.")
        }
        return .ok(.init(body: .html(HTTPBody(APIDocuments.page(type)))))
    }
}

enum APIDocuments {
    /// openapi.yaml as compiled into the control plane (`.embedInCode`; the file the server was generated from).
    static let openAPI = Data(PackageResources.openapi_yaml)

    static let problemIndex: String = {
        let rows = ProblemType.all.map { type in
            "<tr id=\"\(escape(type.code))\"><td><a href=\"\(escape(type.uri))\">\(escape(type.code))</a></td>"
                + "<td>\(type.status.code) \(escape(type.title))</td><td>\(escape(type.meaning))</td><td>\(escape(type.action))</td></tr>"
        }
        return document(title: "Problem types", body: """
            <h1>Problem types</h1>
            <p>Every error of the call-center API is an RFC 9457 <code>application/problem+json</code> document. Its
            <code>type</code> links to one of these pages; its <code>detail</code> says what happened in this case and
            <code>errors</code> lists invalid fields. The API itself is described in <a href="/docs/openapi.yaml">openapi.yaml</a>.</p>
            <table>
            <thead><tr><th>Type</th><th>Status</th><th>Meaning</th><th>What to do</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """)
    }()

    static func page(_ type: ProblemType) -> String {
        document(title: "Problem type \(type.code)", body: """
            <h1>Problem type <code>\(escape(type.code))</code></h1>
            <dl>
            <dt>type</dt><dd><code>\(escape(type.uri))</code></dd>
            <dt>status</dt><dd>\(type.status.code)</dd>
            <dt>title</dt><dd>\(escape(type.title))</dd>
            <dt>What it means</dt><dd>\(escape(type.meaning))</dd>
            <dt>What to do</dt><dd>\(escape(type.action))</dd>
            </dl>
            <p>The problem's <code>detail</code> says what happened in the particular case. <a href="/docs/problems">All problem types</a>.</p>
            """)
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>\(escape(title)) · Call Center Platform API</title></head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
