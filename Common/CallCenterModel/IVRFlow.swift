/// An IVR flow version: a graph of named nodes starting at `start`. Stored as JSON by the control
/// plane (immutable once created; aliases point at versions) and run by the media node.
/// Validate with ``IVRFlowValidator/validate(_:)``.
public struct IVRFlow: Codable, Sendable, Equatable, Hashable {
    /// Human name.
    public var name: String
    /// Id of the first node.
    public var start: String
    /// Prompt language at the start (BCP 47, e.g. `en-US`, `zh-CN`); `language` nodes switch it.
    public var language: String
    /// Default text-to-speech voice; prompts may override it.
    public var voice: String?
    /// Initial variables (before the caller's: `caller`, `called`, `callId` are always set).
    public var variables: [String: String]
    /// The nodes by id.
    public var nodes: [String: IVRNode]

    public init(name: String, start: String, language: String = "en-US", voice: String? = nil,
                variables: [String: String] = [:], nodes: [String: IVRNode]) {
        self.name = name
        self.start = start
        self.language = language
        self.voice = voice
        self.variables = variables
        self.nodes = nodes
    }

    private enum CodingKeys: String, CodingKey { case name, start, language, voice, variables, nodes }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        start = try c.decode(String.self, forKey: .start)
        language = try c.decodeIfPresent(String.self, forKey: .language) ?? "en-US"
        voice = try c.decodeIfPresent(String.self, forKey: .voice)
        variables = try c.decodeIfPresent([String: String].self, forKey: .variables) ?? [:]
        nodes = try c.decode([String: IVRNode].self, forKey: .nodes)
    }
}

/// What to play: a recorded prompt file, or text (a template) spoken by text-to-speech.
/// `{{variable}}` inserts a value; `{{variable|number}}`, `|amount`, `|date`, `|time`, `|digits`
/// speak it in the current language (see ``IVRTemplate``).
public struct IVRPrompt: Codable, Sendable, Equatable, Hashable {
    public var file: String?
    public var text: String?
    public var voice: String?
    /// Overrides the flow's current language for this prompt.
    public var language: String?

    public init(file: String? = nil, text: String? = nil, voice: String? = nil, language: String? = nil) {
        self.file = file
        self.text = text
        self.voice = voice
        self.language = language
    }

    public static func text(_ t: String) -> IVRPrompt { IVRPrompt(text: t) }
    public static func file(_ f: String) -> IVRPrompt { IVRPrompt(file: f) }
}
