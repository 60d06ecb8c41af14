extension QueueConfiguration {
    /// Every problem with this configuration; empty when the ACD can run it.
    /// `knownSkills`, when given, also checks that required skills are defined by the tenant.
    public func validate(knownSkills: Set<String>? = nil) -> [ValidationIssue] {
        var v = ValidationCollector()
        func checkSkills(_ list: [SkillRequirement], at field: String) {
            var seen = Set<String>()
            for (i, r) in list.enumerated() {
                r.validate(into: &v, at: "\(field)[\(i)]")
                if !seen.insert(r.skill).inserted {
                    v.add("\(field)[\(i)].skill", "skill '\(r.skill)' is listed twice")
                }
                if let known = knownSkills, Skill.isValidName(r.skill), !known.contains(r.skill) {
                    v.add("\(field)[\(i)].skill", "skill '\(r.skill)' is not defined")
                }
            }
        }
        checkSkills(requiredSkills, at: "requiredSkills")
        if strategy == .skillsBased && requiredSkills.isEmpty {
            v.add("requiredSkills", "the skills_based strategy needs at least one required skill")
        }
        if let t = maxTier { v.require((0...100).contains(t), "maxTier", "must be between 0 and 100") }
        for (i, rule) in priorityRules.enumerated() {
            v.require(!rule.attribute.isEmpty, "priorityRules[\(i)].attribute", "must not be empty")
            v.require((0...100).contains(rule.priority), "priorityRules[\(i)].priority", "must be between 0 and 100")
        }
        if let w = maxWaitSeconds { v.require((1...86_400).contains(w), "maxWaitSeconds", "must be between 1 and 86400") }
        if let n = maxLength { v.require((1...100_000).contains(n), "maxLength", "must be between 1 and 100000") }
        v.require((0...3600).contains(wrapUpSeconds), "wrapUpSeconds", "must be between 0 and 3600")
        announcements.validate(into: &v, at: "announcements")
        overflow?.validate(into: &v, at: "overflow")
        v.require((1...3600).contains(serviceLevelSeconds), "serviceLevelSeconds", "must be between 1 and 3600")
        var previous = 0
        for (i, step) in escalation.enumerated() {
            let f = "escalation[\(i)]"
            v.require(step.afterSeconds > 0, f + ".afterSeconds", "must be positive")
            v.require(step.afterSeconds > previous || i == 0, f + ".afterSeconds",
                      "must be later than the previous step (\(previous) s)")
            previous = max(previous, step.afterSeconds)
            if let tier = step.maxTier { v.require((0...100).contains(tier), f + ".maxTier", "must be between 0 and 100") }
            if let skills = step.skills { checkSkills(skills, at: f + ".skills") }
            v.require(step.skills != nil || step.maxTier != nil, f, "must change the skills or the tier")
            if let w = maxWaitSeconds, w >= 1, step.afterSeconds >= w {
                v.add(f + ".afterSeconds", "is never reached: callers overflow after maxWaitSeconds (\(w) s)")
            }
        }
        v.require((5...300).contains(ringTimeoutSeconds), "ringTimeoutSeconds", "must be between 5 and 300")
        if let m = maxConsecutiveMisses { v.require((1...100).contains(m), "maxConsecutiveMisses", "must be between 1 and 100") }
        v.require(!autoBreakReason.isEmpty, "autoBreakReason", "must not be empty")
        v.require((1...100).contains(weight), "weight", "must be between 1 and 100")
        if let key = exitKey {
            v.require(key.count == 1 && "0123456789*#".contains(key), "exitKey", "must be one DTMF key: 0-9, * or #")
        }
        if callback.enabled {
            v.require((1...10).contains(callback.maxAttempts), "callback.maxAttempts", "must be between 1 and 10")
            v.require((10...3600).contains(callback.retryIntervalSeconds), "callback.retryIntervalSeconds",
                      "must be between 10 and 3600")
            v.require((60...86_400).contains(callback.windowSeconds), "callback.windowSeconds", "must be between 60 and 86400")
        }
        return v.issues
    }
}
