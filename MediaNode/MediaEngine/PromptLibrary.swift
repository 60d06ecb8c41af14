import NIOConcurrencyHelpers
import NIOPosix
import RTPCore

/// Loads WAV prompts (decoded and resampled to 8 kHz once) on NIO's blocking-I/O pool and caches them.
public final class PromptLibrary: Sendable {
    private let cache = NIOLockedValueBox<[String: PromptAudio]>([:])

    public init() {}

    /// The decoded prompt at `path`, from cache when already loaded.
    public func load(_ path: String) async throws -> PromptAudio {
        if let cached = cache.withLockedValue({ $0[path] }) { return cached }
        let audio = try await NIOThreadPool.singleton.runIfActive {
            let bytes = try readFile(path)
            return PromptAudio(samples: try WAVDecoder.decode(bytes))
        }
        cache.withLockedValue { $0[path] = audio }
        return audio
    }

    /// Drops cached prompts (after a tenant's prompts change).
    public func invalidate() {
        cache.withLockedValue { $0.removeAll() }
    }
}

private func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw RecordingError.cannotRead(path: path) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

extension RecordingError {
    static func cannotRead(path: String) -> Self { .init(readError: path) }
    private init(readError path: String) { self = .cannotOpen(path: path, errno: errno) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
