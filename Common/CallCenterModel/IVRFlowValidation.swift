import Foundation

/// A problem in an IVR flow, naming the node (nil for flow-level problems) and the field.
public struct IVRFlowIssue: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var node: String?
    /// JSON path within the node (or the flow when `node` is nil).
    public var field: String
    public var message: String

    public init(node: String?, field: String, message: String) {
        self.node = node; self.field = field; self.message = message
    }

    /// As a ``ValidationIssue`` with a path from the flow document root (`nodes.menu.options.1`).
    public var validationIssue: ValidationIssue {
        ValidationIssue(field: node.map { "nodes.\($0)" + (field.isEmpty ? "" : ".\(field)") } ?? field, message: message)
    }

    public var description: String { "\(node.map { "node '\($0)' " } ?? "")\(field): \(message)" }
}

/// Validates flows before they are stored (control plane) or run (media node): the same code on both.
public enum IVRFlowValidator {
    /// Languages whose numbers, amounts and dates the engine can speak.
    public static let spokenLanguages: Set<String> = ["en", "zh"]

    /// Every problem with `flow`; empty when it can run. `knownQueues`, when given, are checked
    /// against `enqueue` and queue `transfer` targets.
    public static func validate(_ flow: IVRFlow, knownQueues: Set<String>? = nil) -> [IVRFlowIssue] {
        var issues: [IVRFlowIssue] = []
        func add(_ node: String?, _ field: String, _ message: String) {
            issues.append(IVRFlowIssue(node: node, field: field, message: message))
        }
        if flow.nodes[flow.start] == nil { add(nil, "start", "node '\(flow.start)' does not exist") }
        if flow.language.isEmpty { add(nil, "language", "must be a BCP 47 language tag such as en-US or zh-CN") }
        if flow.nodes.isEmpty { add(nil, "nodes", "a flow needs at least one node") }
        for name in flow.variables.keys.sorted() where !IVRTemplate.isVariableName(name) {
            add(nil, "variables.\(name)", "is not a valid variable name")
        }
        for id in flow.nodes.keys.sorted() {
            let node = flow.nodes[id]!
            if id.isEmpty || id.count > 64 { add(id, "", "node ids must be 1-64 characters") }
            for (field, target) in node.targets where flow.nodes[target] == nil {
                add(id, field, "target node '\(target)' does not exist")
            }
            IVRNodeValidator(node: id, knownQueues: knownQueues) { add(id, $0, $1) }.check(node)
        }
        issues += unreachable(flow)
        issues += loopsWithoutInput(flow)
        return issues
    }

    private static func unreachable(_ flow: IVRFlow) -> [IVRFlowIssue] {
        guard flow.nodes[flow.start] != nil else { return [] }
        var seen: Set<String> = [flow.start]
        var stack = [flow.start]
        while let id = stack.popLast() {
            for (_, t) in flow.nodes[id]?.targets ?? [] where flow.nodes[t] != nil && seen.insert(t).inserted {
                stack.append(t)
            }
        }
        return flow.nodes.keys.sorted().filter { !seen.contains($0) }.map {
            IVRFlowIssue(node: $0, field: "", message: "is unreachable from the start node '\(flow.start)'")
        }
    }

    /// Cycles made only of nodes that neither take caller input nor wait on HTTP would spin forever.
    private static func loopsWithoutInput(_ flow: IVRFlow) -> [IVRFlowIssue] {
        var issues: [IVRFlowIssue] = []
        var state: [String: Int] = [:]  // 1 = on stack, 2 = done
        var path: [String] = []
        func visit(_ id: String) {
            state[id] = 1
            path.append(id)
            for (_, t) in flow.nodes[id]!.targets {
                guard let target = flow.nodes[t], !target.waitsForInput else { continue }
                switch state[t] {
                case 1:
                    let cycle = Array(path[path.lastIndex(of: t)!...])
                    issues.append(IVRFlowIssue(node: t, field: "",
                        message: "loop without caller input or wait: \((cycle + [t]).joined(separator: " → "))"))
                case nil:
                    visit(t)
                default:
                    break
                }
            }
            path.removeLast()
            state[id] = 2
        }
        for id in flow.nodes.keys.sorted() where state[id] == nil && !flow.nodes[id]!.waitsForInput {
            visit(id)
        }
        return issues
    }
}
