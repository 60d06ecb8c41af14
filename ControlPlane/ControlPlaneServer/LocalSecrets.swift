import Foundation

/// Files of local secrets the run command keeps in its data folder (owner-only, 0600): read back
/// on the next start, created once otherwise.
enum LocalSecrets {
    static func load<T: Codable>(_ type: T.Type, from file: URL) -> T? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    static func save<T: Codable>(_ value: T, to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }

    /// A random password or token from an alphabet without look-alike characters.
    static func randomToken(_ n: Int) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<n).map { _ in alphabet.randomElement()! })
    }
}
