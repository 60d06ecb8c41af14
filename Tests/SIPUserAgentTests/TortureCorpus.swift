import Foundation

/// The RFC 4475 messages and their manifest in ../shared/testdata/sip-torture (read as bytes).
struct TortureCase: Sendable, CustomStringConvertible {
    let name: String
    let directory: String
    let parserExpectation: String
    let expected: String
    let size: Int
    let bytes: [UInt8]

    /// The status code the manifest's `expected` column names, if any (400, 505, 416, ...).
    var expectedStatus: Int? {
        let scalars = Array(expected.utf8)
        var i = 0
        while i + 2 < scalars.count {
            let window = scalars[i...(i + 2)]
            let before = i == 0 ? UInt8(ascii: " ") : scalars[i - 1]
            let after = i + 3 < scalars.count ? scalars[i + 3] : UInt8(ascii: " ")
            if window.allSatisfy({ $0 >= 48 && $0 <= 57 }), !(before >= 48 && before <= 57), !(after >= 48 && after <= 57),
               let n = Int(String(decoding: window, as: UTF8.self)), (100...699).contains(n) {
                return n
            }
            i += 1
        }
        return nil
    }

    var description: String { name }
}

enum TortureCorpus {
    static var directory: URL {
        if let env = ProcessInfo.processInfo.environment["SIP_TORTURE_DIR"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata/sip-torture")
    }

    static func load() throws -> [TortureCase] {
        let manifestURL = directory.appendingPathComponent("manifest.tsv")
        guard let manifest = try? String(contentsOf: manifestURL, encoding: .utf8) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: manifestURL.path,
                NSLocalizedDescriptionKey: "RFC 4475 corpus not found at \(manifestURL.path); set SIP_TORTURE_DIR"])
        }
        var cases: [TortureCase] = []
        for line in manifest.split(separator: "\n").dropFirst() where !line.isEmpty {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 8 else { continue }
            let url = directory.appendingPathComponent(cols[3]).appendingPathComponent(cols[0] + ".dat")
            let data = try Data(contentsOf: url)
            cases.append(TortureCase(
                name: cols[0], directory: cols[3], parserExpectation: cols[5], expected: cols[6],
                size: Int(cols[7]) ?? -1, bytes: [UInt8](data)
            ))
        }
        return cases
    }

    static func named(_ name: String) throws -> [UInt8] {
        guard let c = try load().first(where: { $0.name == name }) else { throw CocoaError(.fileNoSuchFile) }
        return c.bytes
    }
}
