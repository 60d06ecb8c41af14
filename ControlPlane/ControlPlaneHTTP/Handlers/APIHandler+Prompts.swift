import ControlPlaneAPI
import ControlPlaneCore
import Foundation
import OpenAPIRuntime

extension APIHandler {
    var prompts: PromptUseCases { PromptUseCases(work: database) }

    func listPrompts(_ input: Operations.ListPrompts.Input) async throws -> Operations.ListPrompts.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configRead)
        let items = try await prompts.list(tenantID: tenantID)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.Prompt.init)))))
    }

    func uploadPrompt(_ input: Operations.UploadPrompt.Input) async throws -> Operations.UploadPrompt.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        guard case .audioWav(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send the WAV file as the body (Content-Type: audio/wav).") }
        // The body is read only after the use case has checked the name, and at most up to its limit.
        let record = try await prompts.upload(tenantID: tenantID, name: input.path.promptName) { limit in
            try? await [UInt8](collecting: body, upTo: limit)
        }
        return .ok(.init(body: .json(.init(record))))
    }

    func deletePrompt(_ input: Operations.DeletePrompt.Input) async throws -> Operations.DeletePrompt.Output {
        let tenantID = try RequestPrincipal.require().tenant(for: .configWrite)
        try await prompts.delete(tenantID: tenantID, name: input.path.promptName)
        return .noContent(.init())
    }
}
