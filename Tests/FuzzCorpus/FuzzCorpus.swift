import Foundation

/// The committed inputs of fuzz target `target` (`infra/fuzz/run.sh`): its seeds in
/// `infra/fuzz/corpus/<target>/`, then every input that ever failed in
/// `infra/fuzz/regressions/<target>/` (absent until one has), each named by folder and file.
/// The unit tests of the fuzzed targets replay them on every run.
package func fuzzCorpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
    let infra = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("infra/fuzz")
    var all: [(name: String, bytes: [UInt8])] = []
    for folder in ["corpus/\(target)", "regressions/\(target)"] {
        let dir = infra.appendingPathComponent(folder)
        guard folder.hasPrefix("corpus") || FileManager.default.fileExists(atPath: dir.path) else { continue }
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() {
            all.append(("\(folder)/\(f)", [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))))
        }
    }
    return all
}
