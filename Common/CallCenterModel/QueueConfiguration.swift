/// A queue's routing and caller-experience settings, as the control plane stores them (JSON,
/// camelCase keys) and the media node's ACD runs them. Absent keys take the documented defaults.
public struct QueueConfiguration: Codable, Sendable, Equatable, Hashable {
    /// How the agent is picked. Default ``QueueStrategy/longestIdle``.
    public var strategy: QueueStrategy
    /// For ``QueueStrategy/skillsBased``: best-skilled first or longest idle among the qualified.
    public var skillSelection: SkillSelection
    /// Skills every agent offered a call must hold at the given minimum levels (any strategy).
    public var requiredSkills: [SkillRequirement]
    /// Members with a tier above this are not offered calls until an escalation step raises it;
    /// nil = all tiers. Among eligible members the lower tier is always offered first.
    public var maxTier: Int?
    /// Attribute-based caller priorities applied when a caller joins.
    public var priorityRules: [QueuePriorityRule]
    /// Overflow a caller who waited this long; nil = no limit. 0…86400.
    public var maxWaitSeconds: Int?
    /// Refuse (overflow) callers arriving when this many wait already; nil = no limit.
    public var maxLength: Int?
    /// After-call work, in seconds; the agent may end it early. 0…3600, default 0.
    public var wrapUpSeconds: Int
    /// Music on hold and position / estimated wait announcements.
    public var announcements: QueueAnnouncements
    /// Where callers go when max wait, max length or an empty rule triggers; nil = hang up.
    public var overflow: OverflowTarget?
    /// Answered within this many seconds counts towards the service level. Default 20.
    public var serviceLevelSeconds: Int
    /// Refuse new callers (overflow) while this holds. Default ``QueueEmptyCondition/never``.
    public var joinEmpty: QueueEmptyCondition
    /// Overflow waiting callers when this becomes true. Default ``QueueEmptyCondition/never``.
    public var leaveWhenEmpty: QueueEmptyCondition
    /// Routing steps widening eligibility over time, ordered by `afterSeconds`.
    public var escalation: [QueueEscalationStep]
    /// Seconds an offered agent has to answer before the call moves on. 5…300, default 20.
    public var ringTimeoutSeconds: Int
    /// Put an agent on break after this many consecutive unanswered offers; nil = never.
    public var maxConsecutiveMisses: Int?
    /// Break reason code used by the automatic break. Default `"missed_calls"`.
    public var autoBreakReason: String
    /// Share of an agent's attention relative to their other queues (1…100, default 1): an
    /// agent in several queues takes the caller with the longest weighted wait.
    public var weight: Int
    /// DTMF key that lets a caller leave the queue (to the overflow target); nil = none.
    public var exitKey: String?
    /// Callback keeping position.
    public var callback: QueueCallbackSettings

    public init(
        strategy: QueueStrategy = .longestIdle,
        skillSelection: SkillSelection = .bestSkilled,
        requiredSkills: [SkillRequirement] = [],
        maxTier: Int? = nil,
        priorityRules: [QueuePriorityRule] = [],
        maxWaitSeconds: Int? = nil,
        maxLength: Int? = nil,
        wrapUpSeconds: Int = 0,
        announcements: QueueAnnouncements = QueueAnnouncements(),
        overflow: OverflowTarget? = nil,
        serviceLevelSeconds: Int = 20,
        joinEmpty: QueueEmptyCondition = .never,
        leaveWhenEmpty: QueueEmptyCondition = .never,
        escalation: [QueueEscalationStep] = [],
        ringTimeoutSeconds: Int = 20,
        maxConsecutiveMisses: Int? = nil,
        autoBreakReason: String = "missed_calls",
        weight: Int = 1,
        exitKey: String? = nil,
        callback: QueueCallbackSettings = QueueCallbackSettings()
    ) {
        self.strategy = strategy
        self.skillSelection = skillSelection
        self.requiredSkills = requiredSkills
        self.maxTier = maxTier
        self.priorityRules = priorityRules
        self.maxWaitSeconds = maxWaitSeconds
        self.maxLength = maxLength
        self.wrapUpSeconds = wrapUpSeconds
        self.announcements = announcements
        self.overflow = overflow
        self.serviceLevelSeconds = serviceLevelSeconds
        self.joinEmpty = joinEmpty
        self.leaveWhenEmpty = leaveWhenEmpty
        self.escalation = escalation
        self.ringTimeoutSeconds = ringTimeoutSeconds
        self.maxConsecutiveMisses = maxConsecutiveMisses
        self.autoBreakReason = autoBreakReason
        self.weight = weight
        self.exitKey = exitKey
        self.callback = callback
    }

    private enum CodingKeys: String, CodingKey {
        case strategy, skillSelection, requiredSkills, maxTier, priorityRules, maxWaitSeconds, maxLength, wrapUpSeconds
        case announcements, overflow, serviceLevelSeconds, joinEmpty, leaveWhenEmpty, escalation
        case ringTimeoutSeconds, maxConsecutiveMisses, autoBreakReason, weight, exitKey, callback
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QueueConfiguration()
        strategy = try c.decodeIfPresent(QueueStrategy.self, forKey: .strategy) ?? d.strategy
        skillSelection = try c.decodeIfPresent(SkillSelection.self, forKey: .skillSelection) ?? d.skillSelection
        requiredSkills = try c.decodeIfPresent([SkillRequirement].self, forKey: .requiredSkills) ?? []
        maxTier = try c.decodeIfPresent(Int.self, forKey: .maxTier)
        priorityRules = try c.decodeIfPresent([QueuePriorityRule].self, forKey: .priorityRules) ?? []
        maxWaitSeconds = try c.decodeIfPresent(Int.self, forKey: .maxWaitSeconds)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        wrapUpSeconds = try c.decodeIfPresent(Int.self, forKey: .wrapUpSeconds) ?? d.wrapUpSeconds
        announcements = try c.decodeIfPresent(QueueAnnouncements.self, forKey: .announcements) ?? d.announcements
        overflow = try c.decodeIfPresent(OverflowTarget.self, forKey: .overflow)
        serviceLevelSeconds = try c.decodeIfPresent(Int.self, forKey: .serviceLevelSeconds) ?? d.serviceLevelSeconds
        joinEmpty = try c.decodeIfPresent(QueueEmptyCondition.self, forKey: .joinEmpty) ?? d.joinEmpty
        leaveWhenEmpty = try c.decodeIfPresent(QueueEmptyCondition.self, forKey: .leaveWhenEmpty) ?? d.leaveWhenEmpty
        escalation = try c.decodeIfPresent([QueueEscalationStep].self, forKey: .escalation) ?? []
        ringTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .ringTimeoutSeconds) ?? d.ringTimeoutSeconds
        maxConsecutiveMisses = try c.decodeIfPresent(Int.self, forKey: .maxConsecutiveMisses)
        autoBreakReason = try c.decodeIfPresent(String.self, forKey: .autoBreakReason) ?? d.autoBreakReason
        weight = try c.decodeIfPresent(Int.self, forKey: .weight) ?? d.weight
        exitKey = try c.decodeIfPresent(String.self, forKey: .exitKey)
        callback = try c.decodeIfPresent(QueueCallbackSettings.self, forKey: .callback) ?? d.callback
    }
}
