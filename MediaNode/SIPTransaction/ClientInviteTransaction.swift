import SIPMessage

/// INVITE client transaction (RFC 3261 §17.1.1, Figure 5, with RFC 6026's Accepted state).
public struct ClientInviteTransaction: Hashable, Sendable {
    public enum State: Hashable, Sendable { case calling, proceeding, accepted, completed, terminated }

    public private(set) var state: State = .calling
    public let request: SIPRequest
    public let reliable: Bool
    public let timers: TransactionTimers
    private var retransmitInterval: Duration
    private var ack: SIPRequest?

    public init(request: SIPRequest, reliable: Bool, timers: TransactionTimers = TransactionTimers()) {
        self.request = request
        self.reliable = reliable
        self.timers = timers
        self.retransmitInterval = timers.t1
    }

    /// Sends the INVITE and arms A (unreliable only) and B.
    public mutating func start() -> [TransactionAction] {
        var out: [TransactionAction] = [.send(.request(request))]
        if !reliable { out.append(.startTimer(.a, retransmitInterval)) }
        out.append(.startTimer(.b, timers.transactionTimeout))
        return out
    }

    public mutating func receive(_ response: SIPResponse) -> [TransactionAction] {
        switch (state, response.statusCode) {
        case (.calling, 100..<200), (.proceeding, 100..<200):
            let wasCalling = state == .calling
            state = .proceeding
            return (wasCalling && !reliable ? [.cancelTimer(.a)] : []) + [.deliverResponse(response)]
        case (.calling, 200..<300), (.proceeding, 200..<300):
            // RFC 6026 §8.4: 2xx moves to Accepted; the TU sends the ACK.
            state = .accepted
            return [.cancelTimer(.a), .cancelTimer(.b), .startTimer(.m, timers.transactionTimeout), .deliverResponse(response)]
        case (.accepted, 200..<300):
            return [.deliverResponse(response)]
        case (.calling, 300...), (.proceeding, 300...):
            state = .completed
            let ack = Self.ack(for: request, response: response)
            self.ack = ack
            return [.cancelTimer(.a), .cancelTimer(.b), .send(.request(ack)),
                    .startTimer(.d, timers.timerD(reliable: reliable)), .deliverResponse(response)]
        case (.completed, 300...):
            // Retransmitted final response: resend the ACK, do not pass it up (§17.1.1.2).
            return ack.map { [.send(.request($0))] } ?? []
        default:
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [TransactionAction] {
        switch (state, timer) {
        case (.calling, .a):
            retransmitInterval = retransmitInterval * 2
            return [.send(.request(request)), .startTimer(.a, retransmitInterval)]
        case (.calling, .b), (.proceeding, .b):
            state = .terminated
            return [.cancelTimer(.a), .timedOut, .terminated]
        case (.completed, .d), (.accepted, .m):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func transportFailed() -> [TransactionAction] {
        guard state != .terminated else { return [] }
        state = .terminated
        return [.cancelTimer(.a), .cancelTimer(.b), .transportError, .terminated]
    }

    /// The ACK for a non-2xx final response (RFC 3261 §17.1.1.3).
    public static func ack(for request: SIPRequest, response: SIPResponse) -> SIPRequest {
        var h = SIPHeaders()
        if let via = request.headers.listValues(.via).first { h.add(.via, String(via)) }
        if let mf = request.headers[.maxForwards] { h.add(.maxForwards, mf) }
        if let from = request.headers[.from] { h.add(.from, from) }
        if let to = response.headers[.to] { h.add(.to, to) }
        if let callID = request.headers[.callID] { h.add(.callID, callID) }
        if let cseq = try? request.headers.cseq() { h.add(.cseq, CSeq(cseq.sequence, .ack).description) }
        for route in request.headers.values(.route) { h.add(.route, route) }
        return SIPRequest(method: .ack, uri: request.uri, headers: h)
    }
}
