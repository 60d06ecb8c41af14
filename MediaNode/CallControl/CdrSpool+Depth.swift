import ControlPlaneClient
import Foundation

extension CdrSpool {
    /// What waits in `pending/`: how many CDRs, and when the oldest was written (file time).
    package struct Depth: Sendable, Hashable {
        package var count: Int
        package var oldest: Date?
    }

    /// Counts the pending CDRs and finds the oldest (one `stat` per file; blocking, like the rest).
    package func depth() throws -> Depth {
        var depth = Depth(count: 0, oldest: nil)
        for name in try DurableFile.list(pendingDirectory) where name.hasSuffix(".json") {
            depth.count += 1
            var info = stat()
            guard stat(pendingDirectory + "/" + name, &info) == 0 else { continue }  // shipped meanwhile
            let written = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            if depth.oldest.map({ written < $0 }) ?? true { depth.oldest = written }
        }
        return depth
    }

    /// Whether a CDR could be written now: creates and removes a probe file in `pending/` (a name
    /// the spool never lists). Returns the reason when not.
    package func writeProbe() -> String? {
        let path = pendingDirectory + "/.probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return "cannot create a file in \(pendingDirectory): \(String(cString: strerror(errno)))" }
        close(fd)
        unlink(path)
        return nil
    }
}
