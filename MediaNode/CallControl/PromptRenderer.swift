import ControlPlaneClient
import CallCenterModel
import Crypto
import Foundation
import IVREngine
import Logging
import MediaEngine
import NIOPosix
import RTPCore

/// Turns IVR prompts into audio for a caller leg: a tenant's recorded prompt file, or text rendered
/// by espeak-ng (Mandarin for `zh*`/`cmn` languages, English otherwise), cached on disk by a hash
/// of engine, voice and text so each sentence is synthesised once per node. Failures are logged
/// and give silence: the flow goes on (keys still work) rather than the call failing.
package actor PromptRenderer {
    package struct Configuration: Sendable {
        /// Rendered speech, `<sha256>.wav`.
        package var cacheDirectory: String
        /// Tenant prompt files: `<promptDirectory>/<tenant id>/<file>`.
        package var promptDirectory: String
        package var espeakExecutable = "/usr/bin/espeak-ng"
        /// Words per minute.
        package var speed = 160
        package var synthesisTimeout: Duration = .seconds(10)

        package init(cacheDirectory: String, promptDirectory: String) {
            self.cacheDirectory = cacheDirectory
            self.promptDirectory = promptDirectory
        }
    }

    let configuration: Configuration
    let library = PromptLibrary()
    let logger: Logger
    /// Whether `espeakExecutable` exists (checked once; the node logs a missing one at start and
    /// `/readyz` reports it, so text prompts are silently left out instead of logged per call).
    package nonisolated let speechAvailable: Bool
    private var inFlight: [String: Task<String?, Never>] = [:]

    package init(configuration: Configuration, logger: Logger = Logger(label: "prompts")) {
        self.configuration = configuration
        self.logger = logger
        self.speechAvailable = FileManager.default.isExecutableFile(atPath: configuration.espeakExecutable)
        try? FileManager.default.createDirectory(atPath: configuration.cacheDirectory, withIntermediateDirectories: true)
    }

    /// Audio for a list of prompts, in order (a prompt that cannot be rendered is left out).
    package func render(_ prompts: [IVRPlayback], tenant: String) async -> [PlaybackItem] {
        var items: [PlaybackItem] = []
        for prompt in prompts {
            if let audio = await render(prompt, tenant: tenant) { items.append(.audio(audio)) }
        }
        return items
    }

    package func render(_ prompt: IVRPlayback, tenant: String) async -> PromptAudio? {
        if let file = prompt.file {
            guard PromptAudioFile.isValidName(file) else {
                logger.warning("prompt file name refused", metadata: ["tenant": "\(tenant)", "file": "\(file)"])
                return nil
            }
            let path = "\(configuration.promptDirectory)/\(tenant)/\(file)"
            do { return try await library.load(path) } catch {
                logger.warning("prompt file missing", metadata: ["tenant": "\(tenant)", "path": "\(path)"])
                // Fall through to the text, when the prompt has one.
            }
        }
        let text = prompt.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        let voice = prompt.voice ?? Self.espeakVoice(forLanguage: prompt.language)
        guard let path = await synthesise(text: text, voice: voice) else { return nil }
        return try? await library.load(path)
    }

    /// Brings `<promptDirectory>/<tenant>/` in step with the tenant's uploaded prompts (name and
    /// SHA-256 from the snapshot): fetches what is missing or changed (verified by hash, written
    /// with `DurableFile`), removes what was deleted. File work runs on NIO's blocking pool.
    /// Returns how many files changed.
    @discardableResult
    package func sync(tenant: String, prompts: [(name: String, sha256: String)],
                      fetch: @Sendable (_ tenant: String, _ name: String) async throws -> [UInt8]) async -> Int {
        let directory = "\(configuration.promptDirectory)/\(tenant)"
        let wanted = Dictionary(prompts.filter { PromptAudioFile.isValidName($0.name) }.map { ($0.name, $0.sha256) },
                                uniquingKeysWith: { a, _ in a })
        let pool = NIOThreadPool.singleton
        // What is on disk now: name → hash (prompts are small; hashing them is cheaper than asking).
        let present: [String: String]
        do {
            present = try await pool.runIfActive {
                try DurableFile.createDirectory(directory)
                var hashes: [String: String] = [:]
                for name in try DurableFile.list(directory) {  // (a crash's leftover temporary file is not wanted: removed below)
                    if let bytes = try DurableFile.read("\(directory)/\(name)") { hashes[name] = Self.sha256(bytes) }
                }
                return hashes
            }
        } catch {
            logger.error("prompt directory unreadable", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            return 0
        }
        var changed = 0
        for (name, hash) in wanted where present[name] != hash {
            do {
                let bytes = try await fetch(tenant, name)
                guard Self.sha256(bytes) == hash else {
                    logger.warning("prompt download did not match its hash", metadata: ["tenant": "\(tenant)", "prompt": "\(name)"])
                    continue
                }
                try await pool.runIfActive { try DurableFile.write(bytes, to: "\(directory)/\(name)") }
                changed += 1
            } catch {
                logger.warning("prompt not fetched", metadata: ["tenant": "\(tenant)", "prompt": "\(name)", "error": "\(error)"])
            }
        }
        let removed = present.keys.filter { wanted[$0] == nil }
        if !removed.isEmpty {
            try? await pool.runIfActive { for name in removed { try DurableFile.remove("\(directory)/\(name)") } }
            changed += removed.count
        }
        if changed > 0 {
            library.invalidate()
            logger.info("prompts updated", metadata: ["tenant": "\(tenant)", "changed": "\(changed)"])
        }
        return changed
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// espeak-ng voice for a BCP 47 language: `cmn` for Chinese, `en-gb`/`en-us` for English, else the tag.
    package static func espeakVoice(forLanguage language: String) -> String {
        let l = language.lowercased()
        if IVRSpeech.isMandarin(l) || l.hasPrefix("cmn") { return "cmn" }
        if l.hasPrefix("en-gb") || l.hasPrefix("en-uk") { return "en-gb" }
        if l.hasPrefix("en") || l.isEmpty { return "en-us" }
        return l
    }

    /// The cache path of `text` spoken by `voice`, synthesising it first when needed (once, even
    /// when several calls ask at the same time).
    func synthesise(text: String, voice: String) async -> String? {
        let key = Self.sha256(Array("espeak-ng|\(voice)|\(configuration.speed)|\(text)".utf8))
        let path = "\(configuration.cacheDirectory)/\(key).wav"
        if FileManager.default.fileExists(atPath: path) { return path }
        guard speechAvailable else { return nil }
        if let running = inFlight[key] { return await running.value }
        let configuration = self.configuration
        let logger = self.logger
        let task = Task<String?, Never> {
            do {
                try await Self.runEspeak(configuration: configuration, text: text, voice: voice, to: path)
                return path
            } catch {
                logger.error("text-to-speech failed", metadata: ["voice": "\(voice)", "error": "\(error)"])
                return nil
            }
        }
        inFlight[key] = task
        let result = await task.value
        inFlight[key] = nil
        return result
    }

    struct SynthesisError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs espeak-ng with the text on stdin (never on the command line), writing a temporary file
    /// that is renamed into place only when complete.
    static func runEspeak(configuration: Configuration, text: String, voice: String, to path: String) async throws {
        let temporary = path + ".\(UUID().uuidString).tmp"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: configuration.espeakExecutable)
        process.arguments = ["-v", voice, "-s", "\(configuration.speed)", "-w", temporary, "--stdin"]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: SynthesisError(description: "cannot start \(configuration.espeakExecutable): \(error)"))
                return
            }
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
            let deadline = configuration.synthesisTimeout
            Task {
                try? await Task.sleep(for: deadline)
                if process.isRunning { process.terminate() }
            }
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SynthesisError(description: "espeak-ng exited with \(status): \(stderr.prefix(200))")
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SynthesisError(description: "cannot move the rendered prompt into the cache (errno \(errno))")
        }
    }
}
