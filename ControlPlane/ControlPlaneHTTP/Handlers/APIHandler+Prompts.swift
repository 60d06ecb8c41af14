import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Crypto
import Foundation
import OpenAPIRuntime

extension APIHandler {
    static let maxPromptBytes = 5 << 20

    func listPrompts(_ input: Operations.ListPrompts.Input) async throws -> Operations.ListPrompts.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let prompts = try await database.tenant(tenantID) { tx in try await PromptRepository.list(tx, tenantID: tenantID) }
        return .ok(.init(body: .json(.init(items: prompts.map(Components.Schemas.Prompt.init)))))
    }

    func uploadPrompt(_ input: Operations.UploadPrompt.Input) async throws -> Operations.UploadPrompt.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let name = try Self.promptName(input.path.promptName)
        guard case .audioWav(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the WAV file as the body (Content-Type: audio/wav).") }
        let bytes: [UInt8]
        do {
            bytes = try await [UInt8](collecting: body, upTo: Self.maxPromptBytes)
        } catch {
            throw ControlPlaneError(.validationFailed, "The file is larger than 5 MB.", issues: [ValidationIssue(field: "body", message: "larger than 5 MB")])
        }
        let audio: PromptAudioFile
        do throws(PromptAudioFile.Problem) {
            audio = try PromptAudioFile.inspect(bytes)
        } catch {
            throw ControlPlaneError.validation([ValidationIssue(field: "body", message: error.description)])
        }
        guard audio.durationMs <= 600_000 else {
            throw ControlPlaneError.validation([ValidationIssue(field: "body", message: "longer than 10 minutes")])
        }
        let hash = SHA256.hash(data: bytes).hexString
        let record = try await database.tenant(tenantID) { tx in
            try await PromptRepository.upsert(tx, tenantID: tenantID, name: name, content: bytes, sha256: hash,
                                              durationMs: audio.durationMs)
        }
        return .ok(.init(body: .json(.init(record))))
    }

    func deletePrompt(_ input: Operations.DeletePrompt.Input) async throws -> Operations.DeletePrompt.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        let name = try Self.promptName(input.path.promptName)
        guard try await database.tenant(tenantID, { tx in
            try await PromptRepository.delete(tx, tenantID: tenantID, name: name)
        }) else { throw ControlPlaneError.notFound("prompt") }
        return .noContent(.init())
    }

    static func promptName(_ name: String) throws(ControlPlaneError) -> String {
        guard PromptAudioFile.isValidName(name) else {
            throw ControlPlaneError.validation([ValidationIssue(field: "promptName", message: "use letters, digits, '.', '_', '-' (1–100, starting with a letter or digit)")])
        }
        return name
    }
}

extension Components.Schemas.Prompt {
    init(_ r: PromptRecord) {
        self.init(name: r.name, sha256: r.sha256, sizeBytes: r.sizeBytes, durationMs: r.durationMs, createdAt: r.createdAt)
    }
}
