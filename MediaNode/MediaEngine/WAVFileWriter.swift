import Dispatch
import RTPCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends audio to a WAV file off the event loops. After every `append` the header's
/// sizes match the data written, so the file is complete even if the process dies next.
final class WAVFileWriter: @unchecked Sendable {  // all mutable state is touched only on `queue`
    private let queue: DispatchQueue
    private let fd: Int32
    private let format: WAVSampleFormat
    private let channels: Int
    private var dataSize = 0

    init(path: String, format: WAVSampleFormat, channels: Int) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o640)
        guard fd >= 0 else { throw RecordingError.cannotOpen(path: path, errno: errno) }
        self.format = format
        self.channels = channels
        queue = DispatchQueue(label: "wav-writer")
        writeHeader()
    }

    private func writeHeader() {
        let header = WAVHeader(format: format, channels: channels, sampleRate: 8000, dataSize: dataSize).bytes
        _ = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Appends sample bytes, then rewrites the header.
    func append(_ bytes: [UInt8]) {
        queue.async { [self] in
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(WAVHeader.size + dataSize)) }
            if written > 0 { dataSize += written }
            writeHeader()
        }
    }

    /// Flushes to disk and closes; returns the data size written.
    func close() async -> Int {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                writeHeader()
                fsync(fd)
                Glibc.close(fd)
                continuation.resume(returning: dataSize)
            }
        }
    }
}

/// Recording failures.
public struct RecordingError: Error, Sendable, Hashable, CustomStringConvertible {
    public let detail: String
    private init(detail: String) { self.detail = detail }
    static func cannotOpen(path: String, errno: Int32) -> Self { Self(detail: "cannot open \(path): errno \(errno)") }
    public var description: String { "recording: \(detail)" }
}
