/// Callback keeping position: a caller leaves a number and hangs up, keeping their place.
public struct QueueCallbackSettings: Codable, Sendable, Equatable, Hashable {
    /// Whether callers may ask for a callback.
    public var enabled: Bool
    /// How many times to dial back before giving up.
    public var maxAttempts: Int
    /// Seconds between dial-back attempts (the caller is put back at the head meanwhile).
    public var retryIntervalSeconds: Int
    /// Give up on callbacks that waited longer than this since the request.
    public var windowSeconds: Int

    public init(enabled: Bool = false, maxAttempts: Int = 3, retryIntervalSeconds: Int = 120, windowSeconds: Int = 4 * 3600) {
        self.enabled = enabled
        self.maxAttempts = maxAttempts
        self.retryIntervalSeconds = retryIntervalSeconds
        self.windowSeconds = windowSeconds
    }
}
