/// A routing step that widens who may take a caller once they have waited long enough
/// (Asterisk penalty rules, Amazon Connect routing steps). The caller keeps their place.
public struct QueueEscalationStep: Codable, Sendable, Equatable, Hashable {
    /// Seconds since the caller joined after which this step applies.
    public var afterSeconds: Int
    /// Replaces the skill requirements (typically lower levels or fewer skills); nil = unchanged.
    public var skills: [SkillRequirement]?
    /// Members with a tier up to this value become eligible (tier 0 is the first line); nil = unchanged.
    public var maxTier: Int?

    public init(afterSeconds: Int, skills: [SkillRequirement]? = nil, maxTier: Int? = nil) {
        self.afterSeconds = afterSeconds
        self.skills = skills
        self.maxTier = maxTier
    }
}
