import SIPMessage

/// INVITE server transaction (RFC 3261 §17.2.1, Figure 7, with RFC 6026's Accepted state).
public struct ServerInviteTransaction: Hashable, Sendable {
    public enum State: Hashable, Sendable { case proceeding, completed, confirmed, accepted, terminated }

    public private(set) var state: State = .proceeding
    public let request: SIPRequest
    public let reliable: Bool
    public let timers: TransactionTimers
    private var lastResponse: SIPResponse?
    private var retransmitInterval: Duration

    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    /// Arms the 100 Trying delay; the owner passes the INVITE to the TU.
    public mutating func start() -> [TransactionAction] {
        [.startTimer(.trying, timers.tryingDelay)]
    }

    /// The TU answers.
    public mutating func respond(_ response: SIPResponse) -> [TransactionAction] {
        switch (state, response.statusCode) {
        case (.proceeding, 100..<200):
            lastResponse = response
            return [.cancelTimer(.trying), .send(.response(response))]
        case (.proceeding, 200..<300):
            // RFC 6026 §8.5: Accepted absorbs INVITE retransmissions while 2xx is retransmitted by the TU.
            state = .accepted
            lastResponse = response
            return [.cancelTimer(.trying), .send(.response(response)), .startTimer(.l, timers.transactionTimeout)]
        case (.accepted, 200..<300):
            return [.send(.response(response))]
        case (.proceeding, 300...):
            state = .completed
            lastResponse = response
            var out: [TransactionAction] = [.cancelTimer(.trying), .send(.response(response))]
            if !reliable { out.append(.startTimer(.g, retransmitInterval)) }
            out.append(.startTimer(.h, timers.transactionTimeout))
            return out
        default:
            return []
        }
    }

    /// A retransmitted INVITE or the ACK of a non-2xx final response.
    public mutating func receive(_ request: SIPRequest) -> [TransactionAction] {
        if request.method == .ack {
            guard state == .completed else { return [] }
            state = .confirmed
            return [.cancelTimer(.g), .cancelTimer(.h), .startTimer(.i, timers.timerI(reliable: reliable))]
        }
        switch state {
        case .proceeding, .completed:
            return lastResponse.map { [.send(.response($0))] } ?? []
        default:
            return [] // Accepted / Confirmed absorb retransmissions
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        switch (state, timer) {
        case (.proceeding, .trying):
            guard lastResponse == nil else { return [] }
            let trying = SIPResponse(answering: request, statusCode: 100)
            lastResponse = trying
            return [.send(.response(trying))]
        case (.completed, .g):
            retransmitInterval = min(retransmitInterval * 2, timers.t2)
            return (lastResponse.map { [.send(.response($0))] } ?? []) + [.startTimer(.g, retransmitInterval)]
        case (.completed, .h):
            // No ACK arrived (§17.2.1): the TU learns of the failure.
            state = .terminated
            return [.cancelTimer(.g), .timedOut, .terminated]
        case (.confirmed, .i), (.accepted, .l):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func transportFailed() -> [TransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.cancelTimer(.g), .cancelTimer(.h), .transportError, .terminated]
    }
}
