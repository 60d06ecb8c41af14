#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file operations: a file written with `write(_:to:)` is either the old content or
/// the new content after a crash (SIGKILL or power loss), never a torn mix.
///
/// The sequence is the classic one: write a temporary file in the same directory, `fsync` it,
/// `rename(2)` it over the target (atomic on POSIX file systems), then `fsync` the directory so
/// the new name itself is durable.
package enum DurableFile {
    /// Atomically replaces `path` with `bytes` (mode `permissions`) and makes it durable.
    package static func write(_ bytes: [UInt8], to path: String, permissions: UInt32 = 0o644) throws(DurableFileError) {
        let directory = parentDirectory(of: path)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw .init(operation: "open", path: temporary) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc_write(fd, raw.baseAddress! + written, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let error = DurableFileError(operation: "write", path: temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        if fsync(fd) != 0 {
            let error = DurableFileError(operation: "fsync", path: temporary)
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let error = DurableFileError(operation: "rename", path: path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// The whole content of `path`, or nil when it does not exist.
    package static func read(_ path: String) throws(DurableFileError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .init(operation: "open", path: path)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc_read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .init(operation: "read", path: path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Moves `source` to `destination` (same file system) and makes both directories durable.
    package static func move(_ source: String, to destination: String) throws(DurableFileError) {
        guard rename(source, destination) == 0 else { throw .init(operation: "rename", path: source) }
        try syncDirectory(parentDirectory(of: destination))
        try syncDirectory(parentDirectory(of: source))
    }

    /// Removes `path` (a missing file is not an error) and makes the removal durable.
    package static func remove(_ path: String) throws(DurableFileError) {
        if unlink(path) != 0, errno != ENOENT { throw .init(operation: "unlink", path: path) }
        try syncDirectory(parentDirectory(of: path))
    }

    /// Creates `path` and its parents (mode 0700) when missing.
    package static func createDirectory(_ path: String) throws(DurableFileError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST { throw .init(operation: "mkdir", path: prefix) }
        }
    }

    /// Names in `directory` (without `.` and `..`), unsorted.
    package static func list(_ directory: String) throws(DurableFileError) -> [String] {
        guard let dir = opendir(directory) else { throw .init(operation: "opendir", path: directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// `fsync` on a directory makes the entries created, renamed or removed in it durable.
    package static func syncDirectory(_ path: String) throws(DurableFileError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .init(operation: "open", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .init(operation: "fsync", path: path) }
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.write(fd, buffer, count)
    #else
    Glibc.write(fd, buffer, count)
    #endif
}

private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.read(fd, buffer, count)
    #else
    Glibc.read(fd, buffer, count)
    #endif
}

/// A file-system operation of `DurableFile` failed.
package struct DurableFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The system call that failed (`open`, `fsync`, `rename`...).
    package let operation: String
    package let path: String
    package let errno: Int32

    package init(operation: String, path: String, errno: Int32 = currentErrno()) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    package var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

package func currentErrno() -> Int32 { errno }
