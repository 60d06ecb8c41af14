import Crypto
import Foundation

/// What identifies "the same request" for an `Idempotency-Key` (issue 13): SHA-256 over method, path
/// (with query) and body bytes.
public enum IdempotencyFingerprint {
    public static func of(method: String, path: String, body: Data) -> Data {
        var hash = SHA256()
        hash.update(data: Data("\(method) \(path)\n".utf8))
        hash.update(data: body)
        return Data(hash.finalize())
    }
}
