import Foundation

/// Every kind of credential the sweep calls with.
enum Caller: String, CaseIterable, Sendable, Hashable {
    case none
    case platformStaff = "platform_staff"
    case tenantAdmin = "tenant_admin"
    case supervisor
    case agent
    case keyAdmin = "key admin"
    case keyConfigRead = "key config_read"
    case keyConfigWrite = "key config_write"
    case keyKeysManage = "key keys_manage"
    case keyUsersManage = "key users_manage"
    case node

    var isSession: Bool { [.platformStaff, .tenantAdmin, .supervisor, .agent].contains(self) }
    /// The API key scope, for key callers.
    var scope: String? { rawValue.hasPrefix("key ") ? String(rawValue.dropFirst(4)) : nil }
}

/// The permission table: operation group → who may call it. README.md has the same table between
/// `<!-- permission-table:start -->` and `<!-- permission-table:end -->`; `PermissionSweepTests`
/// checks that they agree, that every operation in openapi.yaml is in exactly one group, and that
/// the server answers accordingly.
enum PermissionTable {
    struct Group: Equatable {
        var name: String
        var operations: [String]
        var callers: Set<Caller>
    }

    static let tenantUsers: Set<Caller> = [.tenantAdmin, .supervisor, .agent]
    static let tenantKeys: Set<Caller> = [.keyAdmin, .keyConfigRead, .keyConfigWrite, .keyKeysManage, .keyUsersManage]

    static let groups: [Group] = [
        Group(name: "public", operations: ["getHealth", "getReadiness", "getMetrics", "signup", "login", "nodeRegister",
                                           "getOpenApiDocument", "listProblemTypes", "getProblemType"],
              callers: Set(Caller.allCases)),
        Group(name: "self", operations: ["getMe"], callers: Set(Caller.allCases).subtracting([.none])),
        Group(name: "session", operations: ["logout"], callers: [.platformStaff, .tenantAdmin, .supervisor, .agent]),
        Group(name: "tenant.read", operations: ["getTenant", "getEvents"], callers: tenantUsers.union(tenantKeys)),
        Group(name: "tenant.write", operations: ["updateTenant"], callers: [.tenantAdmin, .keyAdmin]),
        Group(name: "config.read", operations: [
            "listSkills", "getSkill", "listAgents", "getAgent", "getAgentCommand", "listAgentGroups", "getAgentGroup",
            "listQueues", "getQueueMembers", "getQueue", "listNumbers", "getNumber", "listPrompts",
            "listIvrFlowVersions", "getIvrFlowVersion", "simulateIvrFlowVersion", "simulateIvrFlow", "listIvrAliases",
            "getIvrAlias", "listCdrs",
        ], callers: [.tenantAdmin, .supervisor, .keyAdmin, .keyConfigRead, .keyConfigWrite]),
        Group(name: "config.write", operations: [
            "createSkill", "updateSkill", "deleteSkill", "createAgent", "updateAgent", "deleteAgent", "rotateAgentSipSecret",
            "setAgentSkills", "createAgentGroup", "replaceAgentGroup", "deleteAgentGroup", "createQueue", "replaceQueueMembers",
            "replaceQueue", "deleteQueue", "setNumberRoute", "uploadPrompt", "deletePrompt", "createIvrFlowVersion",
            "publishIvrAlias", "rollbackIvrAlias",
        ], callers: [.tenantAdmin, .keyAdmin, .keyConfigWrite]),
        Group(name: "agent.control", operations: ["setAgentState"],
              callers: [.tenantAdmin, .supervisor, .keyAdmin, .keyConfigWrite]),
        Group(name: "keys", operations: ["listApiKeys", "createApiKey", "getApiKey", "revokeApiKey"],
              callers: [.tenantAdmin, .keyAdmin, .keyKeysManage]),
        Group(name: "users", operations: ["listUsers", "createUser", "getUser", "updateUser", "deleteUser"],
              callers: [.tenantAdmin, .keyAdmin, .keyUsersManage]),
        Group(name: "platform", operations: [
            "platformListTenants", "platformSetTenantStatus", "platformSetTenantLimits", "platformGetTenantPlacement",
            "platformMoveTenant", "platformListNumbers", "platformAddNumber", "platformGetNumber", "platformAllocateNumber",
            "platformReleaseNumber", "platformListNodes", "platformGetNode", "platformRemoveNode", "platformSetNodeAdminState",
            "platformListBootstrapTokens", "platformCreateBootstrapToken", "platformGetBootstrapToken", "platformRevokeBootstrapToken",
        ], callers: [.platformStaff]),
        Group(name: "node", operations: [
            "nodeHeartbeat", "nodeGetConfig", "nodeRouteNumber", "nodeGetPrompt", "nodeUploadCdrs", "nodeUploadEvents",
            "nodePollAgentCommands", "nodeReportAgentCommand",
        ], callers: [.node]),
    ]

    static func group(of operationID: String) -> Group? {
        groups.first { $0.operations.contains(operationID) }
    }

    /// The table as README.md shows it.
    static var markdown: String {
        var lines = ["| Group | Operations | " + Caller.allCases.map(\.rawValue).joined(separator: " | ") + " |",
                     "|" + String(repeating: "---|", count: Caller.allCases.count + 2)]
        for group in groups {
            lines.append("| \(group.name) | " + group.operations.map { "`\($0)`" }.joined(separator: " ") + " | "
                         + Caller.allCases.map { group.callers.contains($0) ? "✓" : "·" }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Parses the README table back into groups (so a difference is reported group by group).
    static func parse(markdown: String) -> [Group] {
        var groups: [Group] = []
        for line in markdown.split(separator: "\n").map(String.init) where line.hasPrefix("| ") && !line.hasPrefix("| Group ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == Caller.allCases.count + 2 else { continue }
            let operations = cells[1].split(separator: " ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            var callers: Set<Caller> = []
            for (caller, mark) in zip(Caller.allCases, cells.dropFirst(2)) where mark == "✓" { callers.insert(caller) }
            groups.append(Group(name: cells[0], operations: operations, callers: callers))
        }
        return groups
    }
}

/// The operations of openapi.yaml, read line by line from its `paths:` section (Yams is not a
/// dependency of this package's tests; the file's layout is regular: paths at 2 spaces, methods at 4,
/// an operation's keys at 6, its response codes at 8).
struct OpenAPIOperation: Equatable, CustomStringConvertible {
    var method: String
    var path: String
    var operationID: String
    /// Declared response codes (`'201'`, `'404'`, `default`), each with the lines of its declaration.
    var responses: [String: String] = [:]
    /// `security: []`: callable without a credential.
    var isPublic = false
    var hasRequestBody = false
    /// Parameters of the path item and the operation: `$ref` names or inline names.
    var parameters: [String] = []
    /// The lines declaring the inline parameters (path item's and operation's).
    var parameterText = ""
    var description: String { "\(operationID) (\(method.uppercased()) \(path))" }

    static let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]

    /// The HTTP status codes declared (without `default`).
    var declaredStatuses: Set<Int> { Set(responses.keys.compactMap { Int($0) }) }
    var hasPathParameter: Bool { path.contains("{") }

    static func read(_ text: String) -> [OpenAPIOperation] {
        var operations: [OpenAPIOperation] = []
        var inPaths = false
        var path: String?
        var method: String?
        var pathParameters: [String] = []
        var pathParameterText = ""
        var current: OpenAPIOperation?
        var section = ""  // the operation key (at 6 spaces) being read
        var response: String?
        func finish() {
            if let op = current { operations.append(op) }
            current = nil
            response = nil
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if !line.hasPrefix(" "), !line.isEmpty {
                if inPaths { finish() }
                inPaths = line == "paths:"
                continue
            }
            guard inPaths, !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            let indent = line.prefix { $0 == " " }.count
            let content = line.trimmingCharacters(in: .whitespaces)
            if indent == 2, content.hasPrefix("/"), content.hasSuffix(":") {
                finish()
                path = String(content.dropLast())
                method = nil
                pathParameters = []
                pathParameterText = ""
                section = ""
            } else if indent == 4 {
                finish()
                let key = String(content.dropLast())
                if content.hasSuffix(":"), methods.contains(key) { method = key } else { method = nil }
                section = content == "parameters:" ? "path-parameters" : ""
            } else if indent >= 6, method == nil, section == "path-parameters" {
                if indent == 6 { pathParameters.append(Self.parameterName(content)) }
                pathParameterText += content + "\n"
            } else if indent == 6, let method, let path {
                if content.hasPrefix("operationId:") {
                    let id = content.dropFirst("operationId:".count).trimmingCharacters(in: .whitespaces)
                    current = OpenAPIOperation(method: method, path: path, operationID: id, parameters: pathParameters,
                                               parameterText: pathParameterText)
                }
                section = String(content.prefix { $0 != ":" })
                if content == "security: []" { current?.isPublic = true }
                if section == "requestBody" { current?.hasRequestBody = true }
            } else if indent >= 8, section == "parameters" {
                if indent == 8, content.hasPrefix("- ") { current?.parameters.append(Self.parameterName(content)) }
                current?.parameterText += content + "\n"
            } else if indent == 8, section == "responses" {
                let code = String(content.prefix { $0 != ":" }).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                response = code
                current?.responses[code] = content
            } else if indent > 8, section == "responses", let code = response {
                current?.responses[code, default: ""] += "\n" + content
            }
        }
        finish()
        return operations
    }

    /// `- $ref: '#/components/parameters/UserId'` → `UserId`; `- { name: tokenId, ... }` or `- name: x` → `tokenId`.
    static func parameterName(_ item: String) -> String {
        if let ref = item.range(of: "#/components/parameters/") {
            return String(item[ref.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        if let name = item.range(of: "name: ") {
            return String(item[name.upperBound...].prefix { $0 != "," && $0 != " " && $0 != "}" })
        }
        return item
    }
}
