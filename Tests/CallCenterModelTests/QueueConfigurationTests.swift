import Foundation
import Testing
@testable import CallCenterModel

@Suite("Queue configuration")
struct QueueConfigurationTests {
    let fullJSON = """
    {
      "strategy": "skills_based",
      "skillSelection": "longest_idle",
      "requiredSkills": [{"skill": "mandarin", "minLevel": 3}, {"skill": "billing", "minLevel": 5}],
      "maxTier": 0,
      "priorityRules": [{"attribute": "tier", "equals": "gold", "priority": 5}],
      "maxWaitSeconds": 600,
      "maxLength": 50,
      "wrapUpSeconds": 30,
      "announcements": {"musicOnHoldPrompt": "moh/jazz", "positionIntervalSeconds": 60,
                        "estimatedWaitIntervalSeconds": 120, "announceOnJoin": true},
      "overflow": {"type": "ivrFlow", "alias": "after-hours"},
      "serviceLevelSeconds": 20,
      "joinEmpty": "no_agents_logged_in",
      "leaveWhenEmpty": "no_agents_available",
      "escalation": [{"afterSeconds": 60, "skills": [{"skill": "mandarin", "minLevel": 1}]},
                     {"afterSeconds": 120, "maxTier": 1}],
      "ringTimeoutSeconds": 15,
      "maxConsecutiveMisses": 3,
      "autoBreakReason": "missed_calls",
      "weight": 2,
      "exitKey": "#",
      "callback": {"enabled": true, "maxAttempts": 3, "retryIntervalSeconds": 120, "windowSeconds": 7200}
    }
    """

    @Test func decodesEveryFieldWithCamelCaseKeys() throws {
        let q = try JSONDecoder().decode(QueueConfiguration.self, from: Data(fullJSON.utf8))
        #expect(q.strategy == .skillsBased)
        #expect(q.skillSelection == .longestIdle)
        #expect(q.requiredSkills == [SkillRequirement(skill: "mandarin", minLevel: 3), SkillRequirement(skill: "billing", minLevel: 5)])
        #expect(q.overflow == .ivrFlow(alias: "after-hours"))
        #expect(q.joinEmpty == .noAgentsLoggedIn)
        #expect(q.leaveWhenEmpty == .noAgentsAvailable)
        #expect(q.escalation[1].maxTier == 1)
        #expect(q.announcements.positionIntervalSeconds == 60)
        #expect(q.callback.windowSeconds == 7200)
        #expect(q.validate().isEmpty)
    }

    @Test func roundTripsThroughJSON() throws {
        let q = try JSONDecoder().decode(QueueConfiguration.self, from: Data(fullJSON.utf8))
        let again = try JSONDecoder().decode(QueueConfiguration.self, from: JSONEncoder().encode(q))
        #expect(again == q)
    }

    @Test func emptyObjectTakesDefaults() throws {
        let q = try JSONDecoder().decode(QueueConfiguration.self, from: Data("{}".utf8))
        #expect(q == QueueConfiguration())
        #expect(q.strategy == .longestIdle)
        #expect(q.ringTimeoutSeconds == 20)
        #expect(q.validate().isEmpty)
    }

    @Test(arguments: QueueStrategy.allCases)
    func strategyRawValuesAreSnakeCase(_ s: QueueStrategy) throws {
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(json == "\"\(s.rawValue)\"")
        #expect(s.rawValue == s.rawValue.lowercased())
        #expect(!s.rawValue.contains(" "))
    }

    @Test func overflowTargetsRoundTrip() throws {
        let all: [OverflowTarget] = [.queue("sales"), .ivrFlow(alias: "ah"), .voicemail(mailbox: "box"), .voicemail(mailbox: nil), .hangup]
        for t in all {
            let data = try JSONEncoder().encode(t)
            #expect(try JSONDecoder().decode(OverflowTarget.self, from: data) == t)
        }
        let decoded = try JSONDecoder().decode(OverflowTarget.self, from: Data(#"{"type":"queue","queue":"vip"}"#.utf8))
        #expect(decoded == .queue("vip"))
    }

    @Test func unknownStrategyIsADecodingError() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(QueueConfiguration.self, from: Data(#"{"strategy":"telepathy"}"#.utf8))
        }
    }

    @Test func validationNamesEachBadField() {
        var q = QueueConfiguration(strategy: .skillsBased)
        q.maxWaitSeconds = 0
        q.wrapUpSeconds = -1
        q.ringTimeoutSeconds = 1
        q.weight = 0
        q.exitKey = "AB"
        q.overflow = .queue("")
        q.announcements.positionIntervalSeconds = 1
        q.escalation = [QueueEscalationStep(afterSeconds: 30, maxTier: 1), QueueEscalationStep(afterSeconds: 20)]
        let fields = Set(q.validate().map(\.field))
        #expect(fields == [
            "requiredSkills", "maxWaitSeconds", "wrapUpSeconds", "ringTimeoutSeconds", "weight", "exitKey",
            "overflow.queue", "announcements.positionIntervalSeconds", "escalation[1].afterSeconds", "escalation[1]",
        ])
    }

    @Test func validationChecksSkillRequirements() {
        let q = QueueConfiguration(strategy: .skillsBased, requiredSkills: [
            SkillRequirement(skill: "Mandarin!", minLevel: 3),
            SkillRequirement(skill: "billing", minLevel: 11),
            SkillRequirement(skill: "billing", minLevel: 2),
            SkillRequirement(skill: "spanish", minLevel: 2),
        ])
        let issues = q.validate(knownSkills: ["billing", "mandarin"])
        #expect(issues.contains(ValidationIssue(field: "requiredSkills[0].skill", message: "must be 1-64 characters of a-z, 0-9, '-' or '_'")))
        #expect(issues.contains { $0.field == "requiredSkills[1].minLevel" })
        #expect(issues.contains { $0.field == "requiredSkills[2].skill" && $0.message.contains("twice") })
        #expect(issues.contains { $0.field == "requiredSkills[3].skill" && $0.message.contains("not defined") })
        #expect(issues.count == 4)
    }

    @Test func escalationBeyondMaxWaitIsFlagged() {
        let q = QueueConfiguration(maxWaitSeconds: 60, escalation: [QueueEscalationStep(afterSeconds: 90, maxTier: 2)])
        #expect(q.validate() == [ValidationIssue(field: "escalation[0].afterSeconds",
                                                 message: "is never reached: callers overflow after maxWaitSeconds (60 s)")])
    }

    @Test func callbackSettingsCheckedOnlyWhenEnabled() {
        var q = QueueConfiguration(callback: QueueCallbackSettings(enabled: false, maxAttempts: 0))
        #expect(q.validate().isEmpty)
        q.callback.enabled = true
        #expect(q.validate().map(\.field) == ["callback.maxAttempts"])
    }
}

@Suite("Agent configuration")
struct AgentConfigurationTests {
    @Test func decodesWithDefaults() throws {
        let json = #"{"skills":[{"skill":"billing","level":7}],"queues":[{"queue":"support"},{"queue":"vip","tier":1,"weight":3}]}"#
        let a = try JSONDecoder().decode(AgentConfiguration.self, from: Data(json.utf8))
        #expect(a.skills == [SkillLevel(skill: "billing", level: 7)])
        #expect(a.queues == [QueueMembership(queue: "support"), QueueMembership(queue: "vip", tier: 1, weight: 3)])
        #expect(a.validate(knownSkills: ["billing"], knownQueues: ["support", "vip"]).isEmpty)
    }

    @Test func validationNamesBadFields() {
        let a = AgentConfiguration(
            skills: [SkillLevel(skill: "billing", level: 0), SkillLevel(skill: "billing", level: 3)],
            queues: [QueueMembership(queue: "support", tier: -1), QueueMembership(queue: "ghost", weight: 0)])
        let fields = a.validate(knownQueues: ["support"]).map(\.field)
        #expect(fields == ["skills[0].level", "skills[1].skill", "queues[0].tier", "queues[1].weight", "queues[1].queue"])
    }

    @Test func skillNames() {
        #expect(Skill.isValidName("mandarin"))
        #expect(Skill.isValidName("tier-2_support"))
        #expect(!Skill.isValidName(""))
        #expect(!Skill.isValidName("Billing"))
        #expect(!Skill.isValidName(String(repeating: "a", count: 65)))
        #expect(Skill(name: "x y").validate().map(\.field) == ["name"])
    }
}
