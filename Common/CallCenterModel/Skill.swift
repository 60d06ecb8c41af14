/// A tenant-defined skill agents can hold and queues can require (`"mandarin"`, `"billing"`).
public struct Skill: Codable, Sendable, Equatable, Hashable {
    /// Lowest level an agent can hold in a skill.
    public static let minimumLevel = 1
    /// Highest level an agent can hold in a skill.
    public static let maximumLevel = 10

    /// Stable key, lowercase letters, digits, `-` and `_`, 1–64 characters.
    public var name: String
    /// Free text for people.
    public var description: String?

    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }

    /// True when `name` is a well-formed skill key.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
        }
    }

    /// Issues with this skill definition.
    public func validate() -> [ValidationIssue] {
        var v = ValidationCollector()
        v.require(Skill.isValidName(name), "name", "must be 1-64 characters of a-z, 0-9, '-' or '_'")
        return v.issues
    }
}

/// A skill held by an agent at a level (1 = novice … 10 = expert).
public struct SkillLevel: Codable, Sendable, Equatable, Hashable {
    public var skill: String
    public var level: Int

    public init(skill: String, level: Int) {
        self.skill = skill
        self.level = level
    }
}

/// A skill a queue (or an escalation step, or an IVR `enqueue` node) requires, with the minimum level.
public struct SkillRequirement: Codable, Sendable, Equatable, Hashable {
    public var skill: String
    public var minLevel: Int

    public init(skill: String, minLevel: Int = Skill.minimumLevel) {
        self.skill = skill
        self.minLevel = minLevel
    }

    func validate(into v: inout ValidationCollector, at field: String) {
        v.require(Skill.isValidName(skill), field + ".skill", "must be 1-64 characters of a-z, 0-9, '-' or '_'")
        v.require((Skill.minimumLevel...Skill.maximumLevel).contains(minLevel), field + ".minLevel",
                  "must be between \(Skill.minimumLevel) and \(Skill.maximumLevel)")
    }
}
