import Foundation

/// Splits a SQL script into statements at top-level semicolons, respecting '…' strings, "…"
/// identifiers, $tag$…$tag$ bodies and -- / /* */ comments. PostgresNIO speaks the extended query
/// protocol, which takes one statement at a time.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let chars = Array(script)
        var statements: [String] = []
        var current = ""
        var i = 0
        func peek(_ offset: Int) -> Character? { i + offset < chars.count ? chars[i + offset] : nil }
        while i < chars.count {
            let c = chars[i]
            if c == "-" && peek(1) == "-" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/" && peek(1) == "*" {
                i += 2
                while i < chars.count && !(chars[i] == "*" && peek(1) == "/") { i += 1 }
                i += 2
                continue
            }
            if c == "'" || c == "\"" {
                current.append(c); i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if chars[i] == c {
                        if peek(1) == c { i += 1; current.append(chars[i]) } else { i += 1; break }
                    }
                    i += 1
                }
                continue
            }
            if c == "$", let end = chars[(i + 1)...].firstIndex(of: "$"),
               chars[(i + 1)..<end].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
                let tag = String(chars[i...end])
                current += tag
                i = end + 1
                let tagChars = Array(tag)
                while i < chars.count {
                    if chars[i] == "$" && i + tagChars.count <= chars.count && Array(chars[i..<(i + tagChars.count)]) == tagChars {
                        current += tag
                        i += tagChars.count
                        break
                    }
                    current.append(chars[i]); i += 1
                }
                continue
            }
            if c == ";" {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
                i += 1
                continue
            }
            current.append(c); i += 1
        }
        let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !statement.isEmpty { statements.append(statement) }
        return statements
    }
}
