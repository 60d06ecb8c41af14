import ControlPlaneAPI
import ControlPlaneCore
import Foundation

extension APIHandler {
    var platformAdmin: PlatformUseCases { PlatformUseCases(work: database) }

    /// Platform routes accept platform-staff sessions only.
    private func requireStaff() throws(ControlPlaneError) {
        try RequestPrincipal.require().require(.platform)
    }

    func platformListTenants(_ input: Operations.PlatformListTenants.Input) async throws -> Operations.PlatformListTenants.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await platformAdmin.listTenants(page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Tenant.init), nextCursor: result.nextCursor))))
    }

    func platformSetTenantStatus(_ input: Operations.PlatformSetTenantStatus.Input) async throws -> Operations.PlatformSetTenantStatus.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        guard let status = TenantStatus(rawValue: body.status.rawValue) else {
            throw ControlPlaneError.invalid("status", "must be one of \(TenantStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let tenant = try await platformAdmin.setTenantStatus(id: id, status: status)
        logger.notice("tenant status changed", metadata: ["tenant": "\(id)", "status": "\(status.rawValue)", "reason": "\(body.reason ?? "")"])
        return .ok(.init(body: .json(.init(tenant))))
    }

    func platformSetTenantLimits(_ input: Operations.PlatformSetTenantLimits.Input) async throws -> Operations.PlatformSetTenantLimits.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let tenant = try await platformAdmin.setTenantLimits(id: id, maxConcurrentCalls: body.maxConcurrentCalls,
                                                             maxRegistrations: body.maxRegistrations, quotas: body.quotas)
        logger.notice("tenant limits changed", metadata: ["tenant": "\(id)", "maxConcurrentCalls": "\(body.maxConcurrentCalls)",
                                                         "maxRegistrations": "\(body.maxRegistrations)"])
        return .ok(.init(body: .json(.init(tenant))))
    }

    func platformListNumbers(_ input: Operations.PlatformListNumbers.Input) async throws -> Operations.PlatformListNumbers.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await platformAdmin.listNumbers(page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.PhoneNumber.init), nextCursor: result.nextCursor))))
    }

    func platformGetNumber(_ input: Operations.PlatformGetNumber.Input) async throws -> Operations.PlatformGetNumber.Output {
        try requireStaff()
        let number = try await platformAdmin.getNumber(id: try uuid(input.path.numberId, field: "numberId"))
        return .ok(.init(body: .json(.init(number))))
    }

    func platformAddNumber(_ input: Operations.PlatformAddNumber.Input) async throws -> Operations.PlatformAddNumber.Output {
        try requireStaff()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let number = try await platformAdmin.addNumber(e164: body.e164)
        return .created(.init(headers: .init(location: ResourceLocation.platformNumber(number.id)), body: .json(.init(number))))
    }

    func platformAllocateNumber(_ input: Operations.PlatformAllocateNumber.Input) async throws -> Operations.PlatformAllocateNumber.Output {
        try requireStaff()
        let id = try uuid(input.path.numberId, field: "numberId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let number = try await platformAdmin.allocateNumber(id: id, to: try uuid(body.tenantId, field: "tenantId"))
        return .ok(.init(body: .json(.init(number))))
    }

    func platformReleaseNumber(_ input: Operations.PlatformReleaseNumber.Input) async throws -> Operations.PlatformReleaseNumber.Output {
        try requireStaff()
        let number = try await platformAdmin.allocateNumber(id: try uuid(input.path.numberId, field: "numberId"), to: nil)
        return .ok(.init(body: .json(.init(number))))
    }

    func platformListNodes(_ input: Operations.PlatformListNodes.Input) async throws -> Operations.PlatformListNodes.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await platformAdmin.listNodes(page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Node.init), nextCursor: result.nextCursor))))
    }

    func platformGetNode(_ input: Operations.PlatformGetNode.Input) async throws -> Operations.PlatformGetNode.Output {
        try requireStaff()
        let node = try await platformAdmin.getNode(id: try uuid(input.path.nodeId, field: "nodeId"))
        return .ok(.init(body: .json(.init(node))))
    }

    func platformRemoveNode(_ input: Operations.PlatformRemoveNode.Input) async throws -> Operations.PlatformRemoveNode.Output {
        try requireStaff()
        try await platformAdmin.removeNode(id: try uuid(input.path.nodeId, field: "nodeId"))
        return .noContent(.init())
    }

    func platformSetNodeAdminState(_ input: Operations.PlatformSetNodeAdminState.Input) async throws -> Operations.PlatformSetNodeAdminState.Output {
        try requireStaff()
        let id = try uuid(input.path.nodeId, field: "nodeId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        guard let state = NodeAdminState(rawValue: body.adminState.rawValue) else {
            throw ControlPlaneError.invalid("adminState", "must be one of \(NodeAdminState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let node = try await platformAdmin.setNodeAdminState(id: id, state: state)
        logger.notice("node admin state changed", metadata: ["node": "\(id)", "state": "\(state.rawValue)"])
        return .ok(.init(body: .json(.init(node))))
    }
}

extension APIHandler {
    func platformGetTenantPlacement(_ input: Operations.PlatformGetTenantPlacement.Input) async throws -> Operations.PlatformGetTenantPlacement.Output {
        try requireStaff()
        let placement = try await platformAdmin.placement(tenantID: try uuid(input.path.tenantId, field: "tenantId"))
        return .ok(.init(body: .json(.init(placement))))
    }

    func platformMoveTenant(_ input: Operations.PlatformMoveTenant.Input) async throws -> Operations.PlatformMoveTenant.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let nodeID = try uuid(body.nodeId, field: "nodeId")
        let placement = try await platformAdmin.moveTenant(id: id, toNode: nodeID)
        logger.notice("tenant moved", metadata: ["tenant": "\(id)", "node": "\(nodeID)"])
        return .ok(.init(body: .json(.init(placement))))
    }
}

// Node bootstrap tokens (issue 13): expiring, revocable, stored as SHA-256.
extension APIHandler {
    func platformListBootstrapTokens(_ input: Operations.PlatformListBootstrapTokens.Input) async throws -> Operations.PlatformListBootstrapTokens.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await platformAdmin.listBootstrapTokens(page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.BootstrapToken.init), nextCursor: result.nextCursor))))
    }

    func platformGetBootstrapToken(_ input: Operations.PlatformGetBootstrapToken.Input) async throws -> Operations.PlatformGetBootstrapToken.Output {
        try requireStaff()
        let token = try await platformAdmin.getBootstrapToken(id: try uuid(input.path.tokenId, field: "tokenId"))
        return .ok(.init(body: .json(.init(token))))
    }

    func platformCreateBootstrapToken(_ input: Operations.PlatformCreateBootstrapToken.Input) async throws -> Operations.PlatformCreateBootstrapToken.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.platform)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let createdBy: UUID? = if case .user(let id, _, _) = principal.kind { id } else { nil }
        let (record, secret) = try await platformAdmin.createBootstrapToken(name: body.name, expiresInSeconds: body.expiresInSeconds,
                                                                            createdBy: createdBy)
        logger.notice("node bootstrap token created", metadata: ["token": "\(record.id)", "expires": "\(record.expiresAt)"])
        return .created(.init(headers: .init(location: ResourceLocation.bootstrapToken(record.id)), body: .json(.init(token: .init(record), secret: secret))))
    }

    func platformRevokeBootstrapToken(_ input: Operations.PlatformRevokeBootstrapToken.Input) async throws -> Operations.PlatformRevokeBootstrapToken.Output {
        try requireStaff()
        try await platformAdmin.revokeBootstrapToken(id: try uuid(input.path.tokenId, field: "tokenId"))
        return .noContent(.init())
    }
}
