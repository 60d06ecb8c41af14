import SIPMessage
@testable import SIPTransaction

/// Drives a TransactionLayer with a manual clock: timers fire only when the test advances time.
struct ManualTimerDriver {
    var layer: TransactionLayer
    private(set) var now: Duration = .zero
    private var deadlines: [TimerID: Duration] = [:]
    /// Every message sent, with the time it was sent.
    private(set) var sent: [(at: Duration, message: SIPMessage)] = []
    /// Every TU-visible event in order.
    private(set) var delivered: [TransactionLayer.Event] = []

    struct TimerID: Hashable { let key: TransactionKey; let timer: TransactionTimer }

    init(timers: TransactionTimers = TransactionTimers()) {
        layer = TransactionLayer(timers: timers)
    }

    mutating func handle(_ events: [TransactionLayer.Event]) {
        for e in events {
            switch e {
            case .send(let m, _): sent.append((now, m))
            case .startTimer(let key, let t, let d): deadlines[TimerID(key: key, timer: t)] = now + d
            case .cancelTimer(let key, let t): deadlines[TimerID(key: key, timer: t)] = nil
            default: delivered.append(e)
            }
        }
    }

    /// Advances the clock, firing due timers in deadline order.
    mutating func advance(by d: Duration) {
        let target = now + d
        while let next = deadlines.min(by: { $0.value < $1.value }), next.value <= target {
            now = next.value
            deadlines[next.key] = nil
            handle(layer.timerFired(next.key.timer, for: next.key.key))
        }
        now = target
    }

    var pendingTimers: Set<TransactionTimer> { Set(deadlines.keys.map(\.timer)) }

    mutating func clearSent() { sent.removeAll() }
}

func request(_ method: SIPMethod, branch: String = "z9hG4bK-1", toTag: String? = nil, callID: String = "call-1", cseq: UInt32 = 1, fromTag: String = "f1") -> SIPRequest {
    var h = SIPHeaders()
    h.add(.via, "SIP/2.0/UDP 192.0.2.1:5060;branch=\(branch)")
    h.add(.maxForwards, "70")
    h.add(.from, "<sip:alice@example.com>;tag=\(fromTag)")
    h.add(.to, "<sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""))
    h.add(.callID, callID)
    h.add(.cseq, "\(cseq) \(method == .ack ? "ACK" : method.rawValue)")
    h.add(.route, "<sip:proxy.example.com;lr>")
    return SIPRequest(method: method, uri: .sip(SIPURI(user: "bob", host: "example.com")), headers: h)
}

func response(_ status: Int, to request: SIPRequest, toTag: String? = "t1") -> SIPResponse {
    SIPResponse(answering: request, statusCode: status, toTag: toTag)
}
