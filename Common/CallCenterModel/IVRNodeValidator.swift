import Foundation

/// Field-level checks of one node.
struct IVRNodeValidator {
    let node: String
    let knownQueues: Set<String>?
    let add: (String, String) -> Void

    func check(_ n: IVRNode) {
        switch n {
        case .play(let p):
            prompt(p.prompt, "prompt")
        case .gather(let g):
            prompt(g.prompt, "prompt")
            if let r = g.reprompt { prompt(r, "reprompt") }
            variable(g.variable, "variable")
            require((1...64).contains(g.minDigits), "minDigits", "must be between 1 and 64")
            require((1...64).contains(g.maxDigits) && g.maxDigits >= g.minDigits, "maxDigits", "must be between minDigits and 64")
            if let k = g.finishKey { require(isKey(k), "finishKey", "must be one DTMF key: 0-9, * or #") }
            require((1...60).contains(g.firstDigitTimeoutSeconds), "firstDigitTimeoutSeconds", "must be between 1 and 60")
            require((1...30).contains(g.interDigitTimeoutSeconds), "interDigitTimeoutSeconds", "must be between 1 and 30")
            require((1...10).contains(g.maxAttempts), "maxAttempts", "must be between 1 and 10")
        case .menu(let m):
            prompt(m.prompt, "prompt")
            if let p = m.invalidPrompt { prompt(p, "invalidPrompt") }
            require(!m.options.isEmpty, "options", "a menu needs at least one option")
            for key in m.options.keys.sorted() { require(isKey(key), "options.\(key)", "must be one DTMF key: 0-9, * or #") }
            require((1...60).contains(m.timeoutSeconds), "timeoutSeconds", "must be between 1 and 60")
            require((1...10).contains(m.maxAttempts), "maxAttempts", "must be between 1 and 10")
        case .http(let h):
            require(["GET", "POST"].contains(h.method), "method", "must be GET or POST")
            if template(h.url, "url") {
                require(h.url.lowercased().hasPrefix("https://"), "url", "must be an https:// URL")
            }
            for name in (h.headers ?? [:]).keys.sorted() { _ = template(h.headers![name]!, "headers.\(name)") }
            if let b = h.body { _ = template(b, "body") }
            require((1...30).contains(h.timeoutSeconds), "timeoutSeconds", "must be between 1 and 30")
            for name in (h.responseMapping ?? [:]).keys.sorted() {
                variable(name, "responseMapping.\(name)")
                require(!h.responseMapping![name]!.isEmpty, "responseMapping.\(name)", "must be a dotted path into the response")
            }
            if let s = h.statusVariable { variable(s, "statusVariable") }
        case .set(let s):
            require(!s.assignments.isEmpty, "assignments", "must set at least one variable")
            for name in s.assignments.keys.sorted() {
                variable(name, "assignments.\(name)")
                expression(s.assignments[name]!, "assignments.\(name)")
            }
        case .condition(let c):
            require(!c.branches.isEmpty, "branches", "needs at least one branch")
            for (i, b) in c.branches.enumerated() { expression(b.when, "branches[\(i)].when") }
        case .businessHours(let b):
            for issue in b.hours.validate() { add("hours.\(issue.field)", issue.message) }
        case .language(let l):
            require(!l.language.isEmpty, "language", "must be a BCP 47 language tag such as en-US or zh-CN")
        case .enqueue(let e):
            require(!e.queue.isEmpty, "queue", "must name a queue")
            if let known = knownQueues, !e.queue.isEmpty { require(known.contains(e.queue), "queue", "queue '\(e.queue)' does not exist") }
            if let p = e.priority { expression(p, "priority") }
            for (i, r) in (e.requiredSkills ?? []).enumerated() {
                require(Skill.isValidName(r.skill), "requiredSkills[\(i)].skill", "must be 1-64 characters of a-z, 0-9, '-' or '_'")
                require((Skill.minimumLevel...Skill.maximumLevel).contains(r.minLevel), "requiredSkills[\(i)].minLevel", "must be between 1 and 10")
            }
        case .transfer(let t):
            require(!t.target.isEmpty, "target", "must not be empty")
            _ = template(t.target, "target")
            if let p = t.prompt { prompt(p, "prompt") }
            if t.kind == .queue, let known = knownQueues { require(known.contains(t.target), "target", "queue '\(t.target)' does not exist") }
        case .voicemail(let v):
            require(!v.mailbox.isEmpty, "mailbox", "must name a mailbox")
            require((5...600).contains(v.maxSeconds), "maxSeconds", "must be between 5 and 600")
            if let p = v.prompt { prompt(p, "prompt") }
        case .hangup(let h):
            if let p = h.prompt { prompt(p, "prompt") }
        }
    }

    private func require(_ ok: Bool, _ field: String, _ message: @autoclosure () -> String) {
        if !ok { add(field, message()) }
    }

    private func isKey(_ k: String) -> Bool { k.count == 1 && "0123456789*#".contains(k) }

    private func variable(_ name: String, _ field: String) {
        require(IVRTemplate.isVariableName(name), field, "'\(name)' is not a valid variable name")
    }

    private func prompt(_ p: IVRPrompt, _ field: String) {
        require((p.file == nil) != (p.text == nil), field, "needs exactly one of file or text")
        if let f = p.file { require(!f.isEmpty, field + ".file", "must not be empty") }
        if let t = p.text { _ = template(t, field + ".text") }
        if let l = p.language { require(!l.isEmpty, field + ".language", "must not be empty when present") }
    }

    @discardableResult
    private func template(_ source: String, _ field: String) -> Bool {
        do throws(IVRExpressionError) {
            _ = try IVRTemplate.parse(source)
            return true
        } catch {
            add(field, "template does not parse: \(error)")
            return false
        }
    }

    private func expression(_ source: String, _ field: String) {
        do throws(IVRExpressionError) {
            _ = try IVRExpression.parse(source)
        } catch {
            add(field, "expression does not parse: \(error)")
        }
    }
}
