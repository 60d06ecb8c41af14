import SIPMessage

/// Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
public struct ClientNonInviteTransaction: Hashable, Sendable {
    public enum State: Hashable, Sendable { case trying, proceeding, completed, terminated }

    public private(set) var state: State = .trying
    public let request: SIPRequest
    public let reliable: Bool
    public let timers: TransactionTimers
    private var retransmitInterval: Duration

    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    public mutating func start() -> [TransactionAction] {
        var out: [TransactionAction] = [.send(.request(request))]
        if !reliable { out.append(.startTimer(.e, retransmitInterval)) }
        out.append(.startTimer(.f, timers.transactionTimeout))
        return out
    }

    public mutating func receive(_ response: SIPResponse) -> [TransactionAction] {
        switch (state, response.statusCode) {
        case (.trying, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            return [.deliverResponse(response)]
        case (.trying, 200...), (.proceeding, 200...):
            state = .completed
            return [.cancelTimer(.e), .cancelTimer(.f), .startTimer(.k, timers.timerK(reliable: reliable)), .deliverResponse(response)]
        default:
            return [] // retransmissions in Completed are absorbed
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        switch (state, timer) {
        case (.trying, .e):
            retransmitInterval = min(retransmitInterval * 2, timers.t2)
            return [.send(.request(request)), .startTimer(.e, retransmitInterval)]
        case (.proceeding, .e):
            // §17.1.2.2: in Proceeding the interval is T2.
            retransmitInterval = timers.t2
            return [.send(.request(request)), .startTimer(.e, retransmitInterval)]
        case (.trying, .f), (.proceeding, .f):
            state = .terminated
            return [.cancelTimer(.e), .timedOut, .terminated]
        case (.completed, .k):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func transportFailed() -> [TransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.cancelTimer(.e), .cancelTimer(.f), .transportError, .terminated]
    }
}
