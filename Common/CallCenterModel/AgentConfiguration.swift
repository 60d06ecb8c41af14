/// An agent's routing profile: skills and queue memberships.
public struct AgentConfiguration: Codable, Sendable, Equatable, Hashable {
    /// Skills with levels (1…10).
    public var skills: [SkillLevel]
    /// Queues the agent serves, with tier and weight.
    public var queues: [QueueMembership]

    public init(skills: [SkillLevel] = [], queues: [QueueMembership] = []) {
        self.skills = skills
        self.queues = queues
    }

    private enum CodingKeys: String, CodingKey { case skills, queues }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        skills = try c.decodeIfPresent([SkillLevel].self, forKey: .skills) ?? []
        queues = try c.decodeIfPresent([QueueMembership].self, forKey: .queues) ?? []
    }

    /// Every problem with this profile. `knownSkills` / `knownQueues`, when given, are checked too.
    public func validate(knownSkills: Set<String>? = nil, knownQueues: Set<String>? = nil) -> [ValidationIssue] {
        var v = ValidationCollector()
        var seenSkills = Set<String>()
        for (i, s) in skills.enumerated() {
            let f = "skills[\(i)]"
            v.require(Skill.isValidName(s.skill), f + ".skill", "must be 1-64 characters of a-z, 0-9, '-' or '_'")
            v.require((Skill.minimumLevel...Skill.maximumLevel).contains(s.level), f + ".level",
                      "must be between \(Skill.minimumLevel) and \(Skill.maximumLevel)")
            if !seenSkills.insert(s.skill).inserted { v.add(f + ".skill", "skill '\(s.skill)' is listed twice") }
            if let known = knownSkills, Skill.isValidName(s.skill), !known.contains(s.skill) {
                v.add(f + ".skill", "skill '\(s.skill)' is not defined")
            }
        }
        var seenQueues = Set<String>()
        for (i, m) in queues.enumerated() {
            let f = "queues[\(i)]"
            v.require(!m.queue.isEmpty, f + ".queue", "must name a queue")
            v.require((0...100).contains(m.tier), f + ".tier", "must be between 0 and 100")
            v.require((1...100).contains(m.weight), f + ".weight", "must be between 1 and 100")
            if !seenQueues.insert(m.queue).inserted { v.add(f + ".queue", "queue '\(m.queue)' is listed twice") }
            if let known = knownQueues, !m.queue.isEmpty, !known.contains(m.queue) {
                v.add(f + ".queue", "queue '\(m.queue)' does not exist")
            }
        }
        return v.issues
    }
}

/// An agent's membership in one queue.
public struct QueueMembership: Codable, Sendable, Equatable, Hashable {
    /// Queue key.
    public var queue: String
    /// Tier (Asterisk "penalty"): 0 is offered first; higher tiers only once escalation allows them.
    public var tier: Int
    /// Relative weight for ``QueueStrategy/weightedRandom`` (1…100).
    public var weight: Int

    public init(queue: String, tier: Int = 0, weight: Int = 1) {
        self.queue = queue
        self.tier = tier
        self.weight = weight
    }

    private enum CodingKeys: String, CodingKey { case queue, tier, weight }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        queue = try c.decode(String.self, forKey: .queue)
        tier = try c.decodeIfPresent(Int.self, forKey: .tier) ?? 0
        weight = try c.decodeIfPresent(Int.self, forKey: .weight) ?? 1
    }
}

/// A tenant-defined reason an agent gives for a break (`"lunch"`, `"training"`).
public struct BreakReason: Codable, Sendable, Equatable, Hashable {
    public var code: String
    public var label: String
    /// Counted as productive time in reports.
    public var productive: Bool

    public init(code: String, label: String, productive: Bool = false) {
        self.code = code
        self.label = label
        self.productive = productive
    }
}
