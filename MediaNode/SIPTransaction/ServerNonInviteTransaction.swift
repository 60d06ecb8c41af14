import SIPMessage

/// Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
public struct ServerNonInviteTransaction: Hashable, Sendable {
    public enum State: Hashable, Sendable { case trying, proceeding, completed, terminated }

    public private(set) var state: State = .trying
    public let request: SIPRequest
    public let reliable: Bool
    public let timers: TransactionTimers
    private var lastResponse: SIPResponse?

    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
    }

    public mutating func respond(_ response: SIPResponse) -> [TransactionAction] {
        switch (state, response.statusCode) {
        case (.trying, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            lastResponse = response
            return [.send(.response(response))]
        case (.trying, 200...), (.proceeding, 200...):
            state = .completed
            lastResponse = response
            return [.send(.response(response)), .startTimer(.j, timers.timerJ(reliable: reliable))]
        default:
            return []
        }
    }

    /// A retransmission of the request.
    public mutating func receive(_ request: SIPRequest) -> [TransactionAction] {
        switch state {
        case .proceeding, .completed:
            return lastResponse.map { [.send(.response($0))] } ?? []
        default:
            return [] // Trying: absorbed
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        guard state == .completed, timer == .j else { return [] }
        state = .terminated
        return [.terminated]
    }

    public mutating func transportFailed() -> [TransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.transportError, .terminated]
    }
}
