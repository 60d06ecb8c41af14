/// How a queue picks the agent for its head caller. Raw values are the JSON spelling.
public enum QueueStrategy: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// Qualified agents only (required skills at minimum levels); the best-skilled first,
    /// ties broken by longest idle. See ``QueueConfiguration/skillSelection``.
    case skillsBased = "skills_based"
    /// Rotates through members, remembering where the last offer went.
    case roundRobin = "round_robin"
    /// Caller priority decides the order of callers; agents by longest idle.
    case priority = "priority"
    /// The agent idle the longest.
    case longestIdle = "longest_idle"
    /// Every available member is offered the call; the first to answer takes it.
    case ringAll = "ring_all"
    /// The agent who answered the fewest calls today.
    case fewestCalls = "fewest_calls"
    /// The agent with the least accumulated talk time.
    case leastTalkTime = "least_talk_time"
    /// Members in their configured order (top-down), always starting from the first.
    case linear = "linear"
    /// Any available member, uniformly.
    case random = "random"
    /// Any available member, weighted by their membership weight.
    case weightedRandom = "weighted_random"
}

/// For ``QueueStrategy/skillsBased``: which qualified agent comes first.
public enum SkillSelection: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// Highest summed level over the required skills, then longest idle.
    case bestSkilled = "best_skilled"
    /// Longest idle among the qualified.
    case longestIdle = "longest_idle"
}

/// A condition on a queue's agents, used by the join-empty and leave-when-empty rules.
public enum QueueEmptyCondition: String, Codable, Sendable, Equatable, Hashable, CaseIterable {
    /// The rule never triggers.
    case never = "never"
    /// No member agent is logged in (all logged out).
    case noAgentsLoggedIn = "no_agents_logged_in"
    /// No member agent is available right now (logged out, on break, busy or in wrap-up).
    case noAgentsAvailable = "no_agents_available"
}
