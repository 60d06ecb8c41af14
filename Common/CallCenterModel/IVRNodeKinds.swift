/// Plays a prompt, then continues.
public struct IVRPlayNode: Codable, Sendable, Equatable, Hashable {
    public var prompt: IVRPrompt
    public var next: String
    public init(prompt: IVRPrompt, next: String) { self.prompt = prompt; self.next = next }
}

/// Collects DTMF digits into `variable`, retrying with `reprompt` on no input or too few digits.
public struct IVRGatherNode: Codable, Sendable, Equatable, Hashable {
    public var prompt: IVRPrompt
    public var reprompt: IVRPrompt?
    public var variable: String
    public var minDigits: Int
    public var maxDigits: Int
    /// Ends input early (not stored), e.g. `#`.
    public var finishKey: String?
    public var firstDigitTimeoutSeconds: Int
    public var interDigitTimeoutSeconds: Int
    /// Attempts in all (first + retries).
    public var maxAttempts: Int
    public var next: String
    /// After the last failed attempt.
    public var onFailure: String

    public init(prompt: IVRPrompt, reprompt: IVRPrompt? = nil, variable: String, minDigits: Int = 1, maxDigits: Int = 20,
                finishKey: String? = "#", firstDigitTimeoutSeconds: Int = 5, interDigitTimeoutSeconds: Int = 3,
                maxAttempts: Int = 3, next: String, onFailure: String) {
        self.prompt = prompt; self.reprompt = reprompt; self.variable = variable; self.minDigits = minDigits
        self.maxDigits = maxDigits; self.finishKey = finishKey; self.firstDigitTimeoutSeconds = firstDigitTimeoutSeconds
        self.interDigitTimeoutSeconds = interDigitTimeoutSeconds; self.maxAttempts = maxAttempts; self.next = next
        self.onFailure = onFailure
    }
}

/// Plays a menu and branches on one key.
public struct IVRMenuNode: Codable, Sendable, Equatable, Hashable {
    public var prompt: IVRPrompt
    /// Key (`0`-`9`, `*`, `#`) → node.
    public var options: [String: String]
    public var timeoutSeconds: Int
    public var maxAttempts: Int
    /// Played before repeating the menu after a wrong key (nil: just repeat).
    public var invalidPrompt: IVRPrompt?
    /// Branch for a wrong key instead of repeating.
    public var onInvalid: String?
    /// Branch for no key instead of repeating.
    public var onTimeout: String?
    /// After the last attempt (nil: hang up).
    public var onFailure: String?

    public init(prompt: IVRPrompt, options: [String: String], timeoutSeconds: Int = 5, maxAttempts: Int = 3,
                invalidPrompt: IVRPrompt? = nil, onInvalid: String? = nil, onTimeout: String? = nil, onFailure: String? = nil) {
        self.prompt = prompt; self.options = options; self.timeoutSeconds = timeoutSeconds; self.maxAttempts = maxAttempts
        self.invalidPrompt = invalidPrompt; self.onInvalid = onInvalid; self.onTimeout = onTimeout; self.onFailure = onFailure
    }
}

/// Calls the tenant's HTTPS endpoint; maps fields of the JSON response into variables.
public struct IVRHTTPNode: Codable, Sendable, Equatable, Hashable {
    /// `GET` or `POST`.
    public var method: String
    /// Template; must be https.
    public var url: String
    /// Header templates.
    public var headers: [String: String]?
    /// Body template (JSON usually).
    public var body: String?
    public var timeoutSeconds: Int
    /// Variable → dotted path in the response JSON (`data.balance`, `items.0.status`).
    public var responseMapping: [String: String]?
    /// Variable receiving the HTTP status code.
    public var statusVariable: String?
    public var next: String
    /// Non-2xx status, unreachable, unparsable or missing mapped field.
    public var onError: String
    /// No answer within the timeout (nil: onError).
    public var onTimeout: String?

    public init(method: String = "GET", url: String, headers: [String: String]? = nil, body: String? = nil,
                timeoutSeconds: Int = 5, responseMapping: [String: String]? = nil, statusVariable: String? = nil,
                next: String, onError: String, onTimeout: String? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.body = body; self.timeoutSeconds = timeoutSeconds
        self.responseMapping = responseMapping; self.statusVariable = statusVariable; self.next = next
        self.onError = onError; self.onTimeout = onTimeout
    }
}

/// Sets variables to the values of expressions (see ``IVRExpression``), in key order.
public struct IVRSetNode: Codable, Sendable, Equatable, Hashable {
    public var assignments: [String: String]
    public var next: String
    public init(assignments: [String: String], next: String) { self.assignments = assignments; self.next = next }
}

/// Takes the first branch whose expression is true, else `otherwise`.
public struct IVRConditionNode: Codable, Sendable, Equatable, Hashable {
    public struct Branch: Codable, Sendable, Equatable, Hashable {
        public var when: String
        public var next: String
        public init(when: String, next: String) { self.when = when; self.next = next }
    }
    public var branches: [Branch]
    public var otherwise: String
    public init(branches: [Branch], otherwise: String) { self.branches = branches; self.otherwise = otherwise }
}

/// Branches on the tenant's opening hours at the current time.
public struct IVRBusinessHoursNode: Codable, Sendable, Equatable, Hashable {
    public var hours: BusinessHours
    public var open: String
    public var closed: String
    /// Taken on a listed holiday (nil: `closed`).
    public var holiday: String?
    public init(hours: BusinessHours, open: String, closed: String, holiday: String? = nil) {
        self.hours = hours; self.open = open; self.closed = closed; self.holiday = holiday
    }
}

/// Switches the prompt language (and optionally the voice).
public struct IVRLanguageNode: Codable, Sendable, Equatable, Hashable {
    public var language: String
    public var voice: String?
    public var next: String
    public init(language: String, voice: String? = nil, next: String) { self.language = language; self.voice = voice; self.next = next }
}

/// Hands the call to a queue (the IVR ends; the ACD takes over).
public struct IVREnqueueNode: Codable, Sendable, Equatable, Hashable {
    public var queue: String
    /// Expression giving the caller's priority (e.g. `"5"` or `"priority"`); nil = 0.
    public var priority: String?
    public var requiredSkills: [SkillRequirement]?
    public init(queue: String, priority: String? = nil, requiredSkills: [SkillRequirement]? = nil) {
        self.queue = queue; self.priority = priority; self.requiredSkills = requiredSkills
    }
}

/// Transfers the call out of the IVR.
public struct IVRTransferNode: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable { case agent, queue, external }
    public var kind: Kind
    /// Agent id, queue key or E.164 number (template).
    public var target: String
    public var prompt: IVRPrompt?
    public init(kind: Kind, target: String, prompt: IVRPrompt? = nil) { self.kind = kind; self.target = target; self.prompt = prompt }
}

/// Records a voicemail, then hangs up.
public struct IVRVoicemailNode: Codable, Sendable, Equatable, Hashable {
    public var mailbox: String
    public var prompt: IVRPrompt?
    public var maxSeconds: Int
    public init(mailbox: String, prompt: IVRPrompt? = nil, maxSeconds: Int = 120) {
        self.mailbox = mailbox; self.prompt = prompt; self.maxSeconds = maxSeconds
    }
}

/// Ends the call, optionally after a goodbye prompt.
public struct IVRHangupNode: Codable, Sendable, Equatable, Hashable {
    public var prompt: IVRPrompt?
    public init(prompt: IVRPrompt? = nil) { self.prompt = prompt }
}

extension IVRGatherNode {
    private enum CodingKeys: String, CodingKey {
        case prompt, reprompt, variable, minDigits, maxDigits, finishKey, firstDigitTimeoutSeconds
        case interDigitTimeoutSeconds, maxAttempts, next, onFailure
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(prompt: try c.decode(IVRPrompt.self, forKey: .prompt),
                  reprompt: try c.decodeIfPresent(IVRPrompt.self, forKey: .reprompt),
                  variable: try c.decode(String.self, forKey: .variable),
                  minDigits: try c.decodeIfPresent(Int.self, forKey: .minDigits) ?? 1,
                  maxDigits: try c.decodeIfPresent(Int.self, forKey: .maxDigits) ?? 20,
                  finishKey: c.contains(.finishKey) ? try c.decodeIfPresent(String.self, forKey: .finishKey) : "#",
                  firstDigitTimeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .firstDigitTimeoutSeconds) ?? 5,
                  interDigitTimeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .interDigitTimeoutSeconds) ?? 3,
                  maxAttempts: try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 3,
                  next: try c.decode(String.self, forKey: .next),
                  onFailure: try c.decode(String.self, forKey: .onFailure))
    }
}

extension IVRMenuNode {
    private enum CodingKeys: String, CodingKey {
        case prompt, options, timeoutSeconds, maxAttempts, invalidPrompt, onInvalid, onTimeout, onFailure
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(prompt: try c.decode(IVRPrompt.self, forKey: .prompt),
                  options: try c.decode([String: String].self, forKey: .options),
                  timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 5,
                  maxAttempts: try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? 3,
                  invalidPrompt: try c.decodeIfPresent(IVRPrompt.self, forKey: .invalidPrompt),
                  onInvalid: try c.decodeIfPresent(String.self, forKey: .onInvalid),
                  onTimeout: try c.decodeIfPresent(String.self, forKey: .onTimeout),
                  onFailure: try c.decodeIfPresent(String.self, forKey: .onFailure))
    }
}

extension IVRHTTPNode {
    private enum CodingKeys: String, CodingKey {
        case method, url, headers, body, timeoutSeconds, responseMapping, statusVariable, next, onError, onTimeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(method: try c.decodeIfPresent(String.self, forKey: .method) ?? "GET",
                  url: try c.decode(String.self, forKey: .url),
                  headers: try c.decodeIfPresent([String: String].self, forKey: .headers),
                  body: try c.decodeIfPresent(String.self, forKey: .body),
                  timeoutSeconds: try c.decodeIfPresent(Int.self, forKey: .timeoutSeconds) ?? 5,
                  responseMapping: try c.decodeIfPresent([String: String].self, forKey: .responseMapping),
                  statusVariable: try c.decodeIfPresent(String.self, forKey: .statusVariable),
                  next: try c.decode(String.self, forKey: .next),
                  onError: try c.decode(String.self, forKey: .onError),
                  onTimeout: try c.decodeIfPresent(String.self, forKey: .onTimeout))
    }
}

extension IVRVoicemailNode {
    private enum CodingKeys: String, CodingKey { case mailbox, prompt, maxSeconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(mailbox: try c.decode(String.self, forKey: .mailbox),
                  prompt: try c.decodeIfPresent(IVRPrompt.self, forKey: .prompt),
                  maxSeconds: try c.decodeIfPresent(Int.self, forKey: .maxSeconds) ?? 120)
    }
}
