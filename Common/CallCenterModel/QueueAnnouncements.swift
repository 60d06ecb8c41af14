/// What a waiting caller hears: music on hold and periodic position / estimated-wait announcements.
public struct QueueAnnouncements: Codable, Sendable, Equatable, Hashable {
    /// Prompt (file key) played as music on hold; nil = the tenant default.
    public var musicOnHoldPrompt: String?
    /// Announce the caller's position every this many seconds; nil = never.
    public var positionIntervalSeconds: Int?
    /// Announce the estimated wait every this many seconds; nil = never.
    public var estimatedWaitIntervalSeconds: Int?
    /// Announce on entering the queue too (before the first interval elapses).
    public var announceOnJoin: Bool
    /// Do not announce an estimated wait above this (say "more than N minutes"); nil = no cap.
    public var maxAnnouncedWaitSeconds: Int?

    public init(musicOnHoldPrompt: String? = nil, positionIntervalSeconds: Int? = nil,
                estimatedWaitIntervalSeconds: Int? = nil, announceOnJoin: Bool = false,
                maxAnnouncedWaitSeconds: Int? = nil) {
        self.musicOnHoldPrompt = musicOnHoldPrompt
        self.positionIntervalSeconds = positionIntervalSeconds
        self.estimatedWaitIntervalSeconds = estimatedWaitIntervalSeconds
        self.announceOnJoin = announceOnJoin
        self.maxAnnouncedWaitSeconds = maxAnnouncedWaitSeconds
    }

    func validate(into v: inout ValidationCollector, at field: String) {
        if let s = positionIntervalSeconds {
            v.require((10...3600).contains(s), field + ".positionIntervalSeconds", "must be between 10 and 3600")
        }
        if let s = estimatedWaitIntervalSeconds {
            v.require((10...3600).contains(s), field + ".estimatedWaitIntervalSeconds", "must be between 10 and 3600")
        }
        if let s = maxAnnouncedWaitSeconds {
            v.require(s > 0, field + ".maxAnnouncedWaitSeconds", "must be positive")
        }
        if let p = musicOnHoldPrompt {
            v.require(!p.isEmpty, field + ".musicOnHoldPrompt", "must not be empty when present")
        }
    }
}
