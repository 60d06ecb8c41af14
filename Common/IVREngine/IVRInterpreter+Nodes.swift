import CallCenterModel
import Foundation

extension IVRInterpreter {
    /// Enters a node and runs until the flow waits or ends.
    mutating func enter(_ id: String, now: Date) {
        var next: String? = id
        attempts = 0
        while let current = next {
            next = nil
            stepsWithoutInput += 1
            guard stepsWithoutInput <= configuration.maxStepsWithoutInput else {
                actions.append(.hangup)
                return finish(.failed(node: current, reason: "more than \(configuration.maxStepsWithoutInput) steps without caller input"))
            }
            guard let node = flow.nodes[current] else {
                actions.append(.hangup)
                return finish(.failed(node: current, reason: "node '\(current)' does not exist"))
            }
            path.append(current)
            actions.append(.enterNode(current))
            attempts = 0
            next = run(node, id: current, now: now)
        }
    }

    /// Performs a node; returns the node to continue with, or nil when waiting or finished.
    private mutating func run(_ node: IVRNode, id: String, now: Date) -> String? {
        switch node {
        case .play(let n):
            actions.append(playback(n.prompt))
            return n.next
        case .gather(let n):
            attempts = 1
            actions.append(playback(n.prompt))
            collect(n, id: id)
            return nil
        case .menu(let n):
            attempts = 1
            actions.append(playback(n.prompt))
            collect(n, id: id)
            return nil
        case .http(let n):
            var headers: [String: String] = [:]
            for (k, v) in n.headers ?? [:] { headers[k] = IVRRenderer.string(v, variables: variables) }
            actions.append(.httpRequest(IVRHTTPRequest(
                node: id, method: n.method, url: IVRRenderer.string(n.url, variables: variables), headers: headers,
                body: n.body.map { IVRRenderer.string($0, variables: variables) }, timeoutSeconds: n.timeoutSeconds)))
            state = .waitingForHTTP(node: id)
            return nil
        case .set(let n):
            for name in n.assignments.keys.sorted() {
                variables[name] = evaluate(n.assignments[name]!, at: id) ?? .null
            }
            return n.next
        case .condition(let n):
            for branch in n.branches where evaluate(branch.when, at: id)?.isTruthy == true {
                return branch.next
            }
            return n.otherwise
        case .businessHours(let n):
            switch n.hours.status(at: now) {
            case .open: return n.open
            case .closed: return n.closed
            case .holiday: return n.holiday ?? n.closed
            }
        case .language(let n):
            language = n.language
            if let v = n.voice { voice = v }
            variables["language"] = .string(n.language)
            actions.append(.setLanguage(n.language))
            return n.next
        case .enqueue(let n):
            var priority = 0
            if let p = n.priority, let value = evaluate(p, at: id)?.numberValue {
                priority = NSDecimalNumber(decimal: value).intValue
            }
            var attributes: [String: String] = [:]
            for (k, v) in variables { attributes[k] = v.description }
            let request = IVREnqueueRequest(queue: n.queue, priority: priority, requiredSkills: n.requiredSkills ?? [],
                                            attributes: attributes)
            actions.append(.enqueue(request))
            finish(.enqueued(request))
            return nil
        case .transfer(let n):
            if let p = n.prompt { actions.append(playback(p)) }
            let target = IVRRenderer.string(n.target, variables: variables)
            actions.append(.transfer(kind: n.kind, target: target))
            finish(.transferred(kind: n.kind, target: target))
            return nil
        case .voicemail(let n):
            if let p = n.prompt { actions.append(playback(p)) }
            actions.append(.recordVoicemail(mailbox: n.mailbox, maxSeconds: n.maxSeconds))
            actions.append(.hangup)
            finish(.voicemail(mailbox: n.mailbox))
            return nil
        case .hangup(let n):
            if let p = n.prompt { actions.append(playback(p)) }
            actions.append(.hangup)
            finish(.hungUp(node: id))
            return nil
        }
    }

    private mutating func collect(_ n: IVRGatherNode, id: String) {
        actions.append(.collectDigits(IVRDigitCollection(
            node: id, minDigits: n.minDigits, maxDigits: n.maxDigits, finishKey: n.finishKey,
            firstDigitTimeoutSeconds: n.firstDigitTimeoutSeconds, interDigitTimeoutSeconds: n.interDigitTimeoutSeconds)))
        state = .waitingForDigits(node: id)
    }

    private mutating func collect(_ n: IVRMenuNode, id: String) {
        actions.append(.collectDigits(IVRDigitCollection(
            node: id, minDigits: 1, maxDigits: 1, finishKey: nil,
            firstDigitTimeoutSeconds: n.timeoutSeconds, interDigitTimeoutSeconds: n.timeoutSeconds)))
        state = .waitingForDigits(node: id)
    }

    /// Evaluates an expression; runtime errors become a diagnostic and nil (false / null).
    private mutating func evaluate(_ source: String, at id: String) -> IVRValue? {
        do throws(IVRExpressionError) {
            let vars = variables
            return try IVRExpression.parse(source).evaluate { vars[$0] ?? .null }
        } catch {
            actions.append(.diagnostic(node: id, message: "\(source): \(error)"))
            return nil
        }
    }

    // MARK: Results

    mutating func digits(_ input: IVRInput, at id: String, now: Date) {
        switch flow.nodes[id] {
        case .gather(let n)?:
            var entered: String? = nil
            if case .digits(var d) = input {
                if let key = n.finishKey, d.hasSuffix(key) { d.removeLast(key.count) }
                if (n.minDigits...n.maxDigits).contains(d.count), d.allSatisfy({ $0.isNumber || $0 == "*" || $0 == "#" }) { entered = d }
            }
            if let entered {
                variables[n.variable] = .string(entered)
                return enter(n.next, now: now)
            }
            guard attempts < n.maxAttempts else { return enter(n.onFailure, now: now) }
            attempts += 1
            actions.append(playback(n.reprompt ?? n.prompt))
            collect(n, id: id)
        case .menu(let n)?:
            let key: String? = if case .digits(let d) = input, let first = d.first { String(first) } else { nil }
            if let key, let target = n.options[key] {
                variables["\(id).choice"] = .string(key)
                return enter(target, now: now)
            }
            if key != nil, let invalid = n.onInvalid { return enter(invalid, now: now) }
            if key == nil, let timeout = n.onTimeout { return enter(timeout, now: now) }
            guard attempts < n.maxAttempts else {
                if let failure = n.onFailure { return enter(failure, now: now) }
                actions.append(.hangup)
                return finish(.hungUp(node: id))
            }
            attempts += 1
            if key != nil, let p = n.invalidPrompt { actions.append(playback(p)) }
            actions.append(playback(n.prompt))
            collect(n, id: id)
        default:
            actions.append(.hangup)
            finish(.failed(node: id, reason: "waiting for digits at a node that does not take them"))
        }
    }

    mutating func http(_ input: IVRInput, at id: String, now: Date) {
        guard case .http(let n)? = flow.nodes[id] else {
            actions.append(.hangup)
            return finish(.failed(node: id, reason: "waiting for HTTP at a node that does not make requests"))
        }
        switch input {
        case .httpResponse(let status, let body):
            if let s = n.statusVariable { variables[s] = .number(Decimal(status)) }
            guard (200..<300).contains(status) else {
                variables["httpError"] = .string("status \(status)")
                return enter(n.onError, now: now)
            }
            if let mapping = n.responseMapping, !mapping.isEmpty {
                guard let json = IVRJSONPath.parse(body) else {
                    variables["httpError"] = .string("response is not JSON")
                    return enter(n.onError, now: now)
                }
                for name in mapping.keys.sorted() {
                    guard let value = IVRJSONPath.value(at: mapping[name]!, in: json) else {
                        variables["httpError"] = .string("response has no '\(mapping[name]!)'")
                        return enter(n.onError, now: now)
                    }
                    variables[name] = value
                }
            }
            enter(n.next, now: now)
        case .httpTimeout:
            variables["httpError"] = .string("timeout")
            enter(n.onTimeout ?? n.onError, now: now)
        case .httpFailed(let reason):
            variables["httpError"] = .string(reason)
            enter(n.onError, now: now)
        default:
            break  // digits while waiting for HTTP: ignored
        }
    }
}
