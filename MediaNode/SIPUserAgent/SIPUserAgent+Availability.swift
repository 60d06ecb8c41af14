extension SIPUserAgent {
    /// Whether the node takes new calls, as OPTIONS reports it (RFC 3261 §11.2): `retryAfter`
    /// seconds → 503 with Retry-After (draining); nil → 200 with the capabilities.
    public func setUnavailable(retryAfter: Int?) {
        unavailableRetryAfter = retryAfter
    }

    /// Whether the listeners are bound (readiness).
    public var isListening: Bool { transport != nil }
}
