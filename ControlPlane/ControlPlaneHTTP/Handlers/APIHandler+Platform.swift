import CallCenterModel
import ControlPlaneAPI
import ControlPlaneCore
import ControlPlanePostgres
import Foundation

extension APIHandler {
    /// Platform routes accept platform-staff sessions only.
    private func requireStaff() throws(ControlPlaneError) {
        try RequestPrincipal.require().require(.platform)
    }

    func platformListTenants(_ input: Operations.PlatformListTenants.Input) async throws -> Operations.PlatformListTenants.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.platform { tx in try await TenantRepository.list(tx, page: page) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Tenant.init), nextCursor: result.nextCursor))))
    }

    func platformSetTenantStatus(_ input: Operations.PlatformSetTenantStatus.Input) async throws -> Operations.PlatformSetTenantStatus.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let status = TenantStatus(rawValue: body.status.rawValue)!
        let logger = self.logger
        guard let tenant = try await database.platform({ tx in
            try await TenantRepository.setStatus(tx, id: id, status: status)
        }) else { throw ControlPlaneError(.notFound, "No tenant with that id exists.") }
        logger.notice("tenant status changed", metadata: ["tenant": "\(id)", "status": "\(status.rawValue)", "reason": "\(body.reason ?? "")"])
        return .ok(.init(body: .json(.init(tenant))))
    }

    func platformSetTenantLimits(_ input: Operations.PlatformSetTenantLimits.Input) async throws -> Operations.PlatformSetTenantLimits.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        for (field, value) in [("maxConcurrentCalls", body.maxConcurrentCalls), ("maxRegistrations", body.maxRegistrations)]
        where !TenantLimits.range.contains(value) {
            throw ControlPlaneError.invalid(field, "must be between \(TenantLimits.range.lowerBound) and \(TenantLimits.range.upperBound)")
        }
        // Quotas left out of the body stay as they are.
        let given: [(TenantQuota, Int?)] = [(.agents, body.maxAgents), (.numbers, body.maxNumbers), (.prompts, body.maxPrompts),
                                            (.promptBytes, body.maxPromptBytes.map { Int($0) }), (.apiKeys, body.maxApiKeys),
                                            (.users, body.maxUsers), (.queues, body.maxQueues), (.ivrFlows, body.maxIvrFlows)]
        var quotas: [TenantQuota: Int] = [:]
        for case (let quota, let value?) in given {
            guard quota.range.contains(value) else {
                throw ControlPlaneError.invalid(quota.field, "must be between \(quota.range.lowerBound) and \(quota.range.upperBound)")
            }
            quotas[quota] = value
        }
        let limits = TenantLimits(maxConcurrentCalls: body.maxConcurrentCalls, maxRegistrations: body.maxRegistrations, quotas: quotas)
        let logger = self.logger
        guard let tenant = try await database.platform({ tx in
            try await TenantRepository.setLimits(tx, id: id, limits)
        }) else { throw ControlPlaneError(.notFound, "No tenant with that id exists.") }
        logger.notice("tenant limits changed", metadata: ["tenant": "\(id)", "maxConcurrentCalls": "\(limits.maxConcurrentCalls)",
                                                         "maxRegistrations": "\(limits.maxRegistrations)"])
        return .ok(.init(body: .json(.init(tenant))))
    }

    func platformListNumbers(_ input: Operations.PlatformListNumbers.Input) async throws -> Operations.PlatformListNumbers.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.platform { tx in
            try await PhoneNumberRepository.list(tx, tenantID: nil, page: page)
        }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.PhoneNumber.init), nextCursor: result.nextCursor))))
    }

    func platformGetNumber(_ input: Operations.PlatformGetNumber.Input) async throws -> Operations.PlatformGetNumber.Output {
        try requireStaff()
        let id = try uuid(input.path.numberId, field: "numberId")
        guard let number = try await database.platform({ tx in
            try await PhoneNumberRepository.get(tx, tenantID: nil, id: id)
        }) else { throw ControlPlaneError(.notFound, "No number with that id is in the inventory.") }
        return .ok(.init(body: .json(.init(number))))
    }

    func platformAddNumber(_ input: Operations.PlatformAddNumber.Input) async throws -> Operations.PlatformAddNumber.Output {
        try requireStaff()
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        try InputValidation.check([InputValidation.e164(body.e164)])
        let number = try await database.platform { tx in
            try await PhoneNumberRepository.insert(tx, id: UUID(), e164: body.e164)
        }
        return .created(.init(headers: .init(location: ResourceLocation.platformNumber(number.id)), body: .json(.init(number))))
    }

    func platformAllocateNumber(_ input: Operations.PlatformAllocateNumber.Input) async throws -> Operations.PlatformAllocateNumber.Output {
        try requireStaff()
        let id = try uuid(input.path.numberId, field: "numberId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let tenantID = try uuid(body.tenantId, field: "tenantId")
        guard let number = try await database.platform({ tx in
            try await PhoneNumberRepository.allocate(tx, id: id, tenantID: tenantID)
        }) else { throw ControlPlaneError(.notFound, "No number with that id is in the inventory.") }
        return .ok(.init(body: .json(.init(number))))
    }

    func platformReleaseNumber(_ input: Operations.PlatformReleaseNumber.Input) async throws -> Operations.PlatformReleaseNumber.Output {
        try requireStaff()
        let id = try uuid(input.path.numberId, field: "numberId")
        guard let number = try await database.platform({ tx in
            try await PhoneNumberRepository.allocate(tx, id: id, tenantID: nil)
        }) else { throw ControlPlaneError(.notFound, "No number with that id is in the inventory.") }
        return .ok(.init(body: .json(.init(number))))
    }

    func platformListNodes(_ input: Operations.PlatformListNodes.Input) async throws -> Operations.PlatformListNodes.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.platform { tx in try await NodeRepository.list(tx, page: page) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.Node.init), nextCursor: result.nextCursor))))
    }

    func platformGetNode(_ input: Operations.PlatformGetNode.Input) async throws -> Operations.PlatformGetNode.Output {
        try requireStaff()
        let id = try uuid(input.path.nodeId, field: "nodeId")
        guard let node = try await database.platform({ tx in try await NodeRepository.get(tx, id: id) }) else {
            throw ControlPlaneError(.notFound, "No node with that id is registered.")
        }
        return .ok(.init(body: .json(.init(node))))
    }

    func platformRemoveNode(_ input: Operations.PlatformRemoveNode.Input) async throws -> Operations.PlatformRemoveNode.Output {
        try requireStaff()
        let id = try uuid(input.path.nodeId, field: "nodeId")
        guard try await database.platform({ tx in try await NodeRepository.remove(tx, id: id) }) else {
            throw ControlPlaneError(.notFound, "No node with that id is registered.")
        }
        return .noContent(.init())
    }

    func platformSetNodeAdminState(_ input: Operations.PlatformSetNodeAdminState.Input) async throws -> Operations.PlatformSetNodeAdminState.Output {
        try requireStaff()
        let id = try uuid(input.path.nodeId, field: "nodeId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let state = NodeAdminState(rawValue: body.adminState.rawValue)!
        let logger = self.logger
        guard let node = try await database.platform({ tx in
            try await NodeRepository.setAdminState(tx, id: id, state: state)
        }) else { throw ControlPlaneError(.notFound, "No node with that id is registered.") }
        logger.notice("node admin state changed", metadata: ["node": "\(id)", "state": "\(state.rawValue)"])
        return .ok(.init(body: .json(.init(node))))
    }
}

extension APIHandler {
    func platformGetTenantPlacement(_ input: Operations.PlatformGetTenantPlacement.Input) async throws -> Operations.PlatformGetTenantPlacement.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard let placement = try await database.platform({ tx in
            try await PlacementRepository.placement(tx, tenantID: id)
        }) else {
            throw ControlPlaneError(.notFound, "The tenant is not homed on any media node (no tenant with that id, not active, or no healthy node yet).")
        }
        return .ok(.init(body: .json(.init(placement))))
    }

    func platformMoveTenant(_ input: Operations.PlatformMoveTenant.Input) async throws -> Operations.PlatformMoveTenant.Output {
        try requireStaff()
        let id = try uuid(input.path.tenantId, field: "tenantId")
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let nodeID = try uuid(body.nodeId, field: "nodeId")
        let logger = self.logger
        let outcome = try await database.platform { tx in
            try await PlacementRepository.move(tx, tenantID: id, nodeID: nodeID)
        }
        switch outcome {
        case .moved(let placement):
            logger.notice("tenant moved", metadata: ["tenant": "\(id)", "node": "\(nodeID)"])
            return .ok(.init(body: .json(.init(placement))))
        case .noSuchTenant:
            throw ControlPlaneError(.notFound, "No tenant with that id exists.")
        case .noSuchNode:
            throw ControlPlaneError(.notFound, "No media node with id \(nodeID) exists.")
        case .nodeUnavailable(let why):
            throw ControlPlaneError(.conflict, "The tenant cannot be moved there: \(why). Pick an active node that is up.")
        }
    }
}

extension Components.Schemas.TenantPlacement {
    init(_ r: PlacementRecord) {
        self.init(tenantId: r.tenantID.uuidString.lowercased(), nodeId: r.nodeID.uuidString.lowercased(), nodeName: r.nodeName,
                  sipAddress: r.sipAddress, placedAt: r.placedAt)
    }
}

// Node bootstrap tokens (issue 13): expiring, revocable, stored as SHA-256.
extension APIHandler {
    func platformListBootstrapTokens(_ input: Operations.PlatformListBootstrapTokens.Input) async throws -> Operations.PlatformListBootstrapTokens.Output {
        try requireStaff()
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let result = try await database.platform { tx in try await BootstrapTokenRepository.list(tx, page: page) }
        return .ok(.init(body: .json(.init(items: result.items.map(Components.Schemas.BootstrapToken.init), nextCursor: result.nextCursor))))
    }

    func platformGetBootstrapToken(_ input: Operations.PlatformGetBootstrapToken.Input) async throws -> Operations.PlatformGetBootstrapToken.Output {
        try requireStaff()
        let id = try uuid(input.path.tokenId, field: "tokenId")
        guard let token = try await database.platform({ tx in try await BootstrapTokenRepository.get(tx, id: id) }) else {
            throw ControlPlaneError(.notFound, "No bootstrap token with that id exists.")
        }
        return .ok(.init(body: .json(.init(token))))
    }

    func platformCreateBootstrapToken(_ input: Operations.PlatformCreateBootstrapToken.Input) async throws -> Operations.PlatformCreateBootstrapToken.Output {
        let principal = try RequestPrincipal.require()
        try principal.require(.platform)
        guard case .json(let body) = input.body else { throw ControlPlaneError(.badRequest, "Send a JSON body.") }
        let lifetime = body.expiresInSeconds ?? 86_400
        try InputValidation.check([
            InputValidation.text(body.name, field: "name", max: 100),
            (60...2_592_000).contains(lifetime) ? nil : .init(field: "expiresInSeconds", message: "must be 60 (a minute) to 2592000 (30 days)"),
        ])
        let token = BearerToken.generate(.bootstrap)
        let now = Date()
        let record = BootstrapTokenRecord(id: UUID(), name: body.name, prefix: token.prefix ?? "", createdAt: now,
                                          expiresAt: now.addingTimeInterval(TimeInterval(lifetime)), revokedAt: nil, lastUsedAt: nil)
        let createdBy: UUID? = if case .user(let id, _, _) = principal.kind { id } else { nil }
        let logger = self.logger
        try await database.platform { tx in
            try await BootstrapTokenRepository.insert(tx, record, token: token, createdBy: createdBy)
        }
        logger.notice("node bootstrap token created", metadata: ["token": "\(record.id)", "expires": "\(record.expiresAt)"])
        return .created(.init(headers: .init(location: ResourceLocation.bootstrapToken(record.id)), body: .json(.init(token: .init(record), secret: token.text))))
    }

    func platformRevokeBootstrapToken(_ input: Operations.PlatformRevokeBootstrapToken.Input) async throws -> Operations.PlatformRevokeBootstrapToken.Output {
        try requireStaff()
        let id = try uuid(input.path.tokenId, field: "tokenId")
        guard try await database.platform({ tx in try await BootstrapTokenRepository.revoke(tx, id: id) }) else {
            throw ControlPlaneError(.notFound, "No bootstrap token with that id exists.")
        }
        return .noContent(.init())
    }
}

extension Components.Schemas.BootstrapToken {
    init(_ t: BootstrapTokenRecord) {
        self.init(id: t.id.wire, name: t.name, prefix: t.prefix, createdAt: t.createdAt, expiresAt: t.expiresAt,
                  revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt)
    }
}
