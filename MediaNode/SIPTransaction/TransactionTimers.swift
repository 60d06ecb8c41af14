/// RFC 3261 §17 timer values (Table 4), injected rather than global.
public struct TransactionTimers: Hashable, Sendable {
    /// RTT estimate (default 500 ms).
    public var t1: Duration
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Duration
    /// Maximum time a message remains in the network (default 5 s).
    public var t4: Duration
    /// Delay before a UAS sends 100 Trying for an INVITE (RFC 3261 §17.2.1: 200 ms).
    public var tryingDelay: Duration
    /// Timer D for unreliable transports (default 32 s, RFC 3261 §17.1.1.2 "at least 32 s").
    public var timerDUnreliable: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5),
                tryingDelay: Duration = .milliseconds(200), timerDUnreliable: Duration = .seconds(32)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.tryingDelay = tryingDelay
        self.timerDUnreliable = timerDUnreliable
    }

    /// 64*T1: timers B, F, H, J (unreliable), L, M.
    public var transactionTimeout: Duration { t1 * 64 }

    func timerD(reliable: Bool) -> Duration { reliable ? .zero : timerDUnreliable }
    func timerI(reliable: Bool) -> Duration { reliable ? .zero : t4 }
    func timerJ(reliable: Bool) -> Duration { reliable ? .zero : transactionTimeout }
    func timerK(reliable: Bool) -> Duration { reliable ? .zero : t4 }
}

/// The named timers of RFC 3261 §17 and RFC 6026 (plus the 100 Trying delay).
public enum TransactionTimer: String, Hashable, Sendable, CaseIterable {
    case a = "A", b = "B", d = "D", e = "E", f = "F", g = "G", h = "H", i = "I", j = "J", k = "K", l = "L", m = "M"
    case trying = "Trying"
}

/// What a transaction asks its owner to do.
public enum TransactionAction: Hashable, Sendable {
    /// Send (or resend) this message over the transaction's transport.
    case send(SIPMessage)
    /// Pass a response up to the transaction user (client transactions).
    case deliverResponse(SIPResponse)
    /// Arm (or re-arm) a timer.
    case startTimer(TransactionTimer, Duration)
    case cancelTimer(TransactionTimer)
    /// The transaction timed out (B, F, H): the TU treats it as 408 / a lost ACK.
    case timedOut
    /// The transport failed; the TU treats it as 503 (RFC 3261 §8.1.3.1).
    case transportError
    /// The transaction is over and can be forgotten.
    case terminated
}

import SIPMessage
