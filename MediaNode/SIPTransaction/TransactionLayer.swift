import SIPMessage

/// All transactions of one element (RFC 3261 §17): matches incoming messages to transactions,
/// absorbs retransmissions, answers CANCEL (§9.2), detects merged requests (§8.2.2.2 → 482)
/// and passes to the transaction user only what it must see. Pure: the owner performs the
/// returned events (send, timers) and feeds back timer expiries.
public struct TransactionLayer: Sendable {
    public enum Event: Hashable, Sendable {
        /// Send over the transport the transaction was created for.
        case send(SIPMessage, TransactionKey)
        case startTimer(TransactionKey, TransactionTimer, Duration)
        case cancelTimer(TransactionKey, TransactionTimer)
        /// A new request for the TU (a server transaction now exists under this key).
        case request(SIPRequest, TransactionKey)
        /// An ACK that matched no transaction: the ACK of a 2xx, for the dialog layer (§13.3.1.4).
        case ackWithoutTransaction(SIPRequest)
        /// A CANCEL matched this pending INVITE; the layer answered the CANCEL with 200, the TU
        /// should end the INVITE with 487 (§9.2).
        case cancelled(TransactionKey)
        /// A response for the TU from a client transaction.
        case response(SIPResponse, TransactionKey)
        /// A response that matched no client transaction (e.g. a 2xx retransmission after
        /// Timer M); UACs use it to re-ACK (§13.2.2.4).
        case strayResponse(SIPResponse)
        case timedOut(TransactionKey)
        case transportError(TransactionKey)
        case terminated(TransactionKey)
    }

    private enum Server: Hashable, Sendable {
        case invite(ServerInviteTransaction)
        case nonInvite(ServerNonInviteTransaction)
    }

    private enum Client: Hashable, Sendable {
        case invite(ClientInviteTransaction)
        case nonInvite(ClientNonInviteTransaction)
    }

    public var timers: TransactionTimers
    private var servers: [TransactionKey: Server] = [:]
    private var clients: [TransactionKey: Client] = [:]
    /// From tag + Call-ID + CSeq of requests without a To tag → their transaction (§8.2.2.2).
    private var mergeIndex: [String: TransactionKey] = [:]
    private var mergeKeys: [TransactionKey: String] = [:]

    public init(timers: TransactionTimers = TransactionTimers()) {
        self.timers = timers
    }

    public var serverCount: Int { servers.count }
    public var clientCount: Int { clients.count }

    /// The original request of a server transaction.
    public func serverRequest(_ key: TransactionKey) -> SIPRequest? {
        switch servers[key] {
        case .invite(let t): return t.request
        case .nonInvite(let t): return t.request
        case nil: return nil
        }
    }

    // MARK: Incoming

    public mutating func receive(_ request: SIPRequest, reliable: Bool) -> [Event] {
        guard let key = try? TransactionKey.server(for: request) else { return [] }
        if request.method == .ack {
            guard case .invite(var t)? = servers[key] else { return [.ackWithoutTransaction(request)] }
            if t.state == .accepted { return [.ackWithoutTransaction(request)] }
            let actions = t.receive(request)
            servers[key] = .invite(t)
            return apply(actions, key)
        }
        if let existing = servers[key] {
            // A retransmission: absorbed or answered with the last response.
            switch existing {
            case .invite(var t):
                let a = t.receive(request)
                servers[key] = .invite(t)
                return apply(a, key)
            case .nonInvite(var t):
                let a = t.receive(request)
                servers[key] = .nonInvite(t)
                return apply(a, key)
            }
        }
        // §8.2.2.2 merged request: same From tag, Call-ID and CSeq, other branch, no To tag.
        if let mergeKey = Self.mergeKey(request), let other = mergeIndex[mergeKey], other != key, servers[other] != nil {
            return statelessResponse(request, key: key, status: 482, reliable: reliable)
        }
        var events: [Event] = []
        if request.method == .invite {
            var t = ServerInviteTransaction(request: request, reliable: reliable, timers: timers)
            let a = t.start()
            servers[key] = .invite(t)
            events = apply(a, key)
        } else {
            servers[key] = .nonInvite(ServerNonInviteTransaction(request: request, reliable: reliable, timers: timers))
        }
        if let mk = Self.mergeKey(request) {
            mergeIndex[mk] = key
            mergeKeys[key] = mk
        }
        if request.method == .cancel {
            return events + handleCancel(request, key: key)
        }
        return events + [.request(request, key)]
    }

    public mutating func receive(_ response: SIPResponse) -> [Event] {
        guard let key = try? TransactionKey.client(for: response), let client = clients[key] else {
            return [.strayResponse(response)]
        }
        switch client {
        case .invite(var t):
            let a = t.receive(response)
            clients[key] = .invite(t)
            return apply(a, key)
        case .nonInvite(var t):
            let a = t.receive(response)
            clients[key] = .nonInvite(t)
            return apply(a, key)
        }
    }

    // MARK: Outgoing

    /// Starts a client transaction for `request` (its top Via must carry a fresh branch).
    public mutating func send(_ request: SIPRequest, reliable: Bool) throws(SIPParseError) -> (TransactionKey, [Event]) {
        let via = try request.headers.topVia()
        guard let branch = via.branch else { throw .malformedHeader("Via", "missing branch") }
        let key = TransactionKey.client(branch: branch, method: request.method)
        if request.method == .invite {
            var t = ClientInviteTransaction(request: request, reliable: reliable, timers: timers)
            let a = t.start()
            clients[key] = .invite(t)
            return (key, apply(a, key))
        }
        var t = ClientNonInviteTransaction(request: request, reliable: reliable, timers: timers)
        let a = t.start()
        clients[key] = .nonInvite(t)
        return (key, apply(a, key))
    }

    /// The TU's response within server transaction `key`.
    public mutating func respond(_ response: SIPResponse, to key: TransactionKey) -> [Event] {
        switch servers[key] {
        case .invite(var t)?:
            let a = t.respond(response)
            servers[key] = .invite(t)
            return apply(a, key)
        case .nonInvite(var t)?:
            let a = t.respond(response)
            servers[key] = .nonInvite(t)
            return apply(a, key)
        case nil:
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer, for key: TransactionKey) -> [Event] {
        if let s = servers[key] {
            switch s {
            case .invite(var t):
                let a = t.timerFired(timer)
                servers[key] = .invite(t)
                return apply(a, key)
            case .nonInvite(var t):
                let a = t.timerFired(timer)
                servers[key] = .nonInvite(t)
                return apply(a, key)
            }
        }
        switch clients[key] {
        case .invite(var t)?:
            let a = t.timerFired(timer)
            clients[key] = .invite(t)
            return apply(a, key)
        case .nonInvite(var t)?:
            let a = t.timerFired(timer)
            clients[key] = .nonInvite(t)
            return apply(a, key)
        case nil:
            return []
        }
    }

    /// The transport could not send for `key` (§17.1.4, §17.2.4).
    public mutating func transportFailed(_ key: TransactionKey) -> [Event] {
        if case .invite(var t)? = clients[key] { let a = t.transportFailed(); clients[key] = .invite(t); return apply(a, key) }
        if case .nonInvite(var t)? = clients[key] { let a = t.transportFailed(); clients[key] = .nonInvite(t); return apply(a, key) }
        if case .invite(var t)? = servers[key] { let a = t.transportFailed(); servers[key] = .invite(t); return apply(a, key) }
        if case .nonInvite(var t)? = servers[key] { let a = t.transportFailed(); servers[key] = .nonInvite(t); return apply(a, key) }
        return []
    }

    // MARK: Internals

    private mutating func handleCancel(_ cancel: SIPRequest, key: TransactionKey) -> [Event] {
        let inviteKey = TransactionKey(value: key.value, method: .invite)
        guard case .invite(let invite)? = servers[inviteKey] else {
            return respond(SIPResponse(answering: cancel, statusCode: 481), to: key)
        }
        let toTag = (try? invite.request.headers.to().tag) ?? nil
        var events = respond(SIPResponse(answering: cancel, statusCode: 200, toTag: toTag ?? Self.tag(for: inviteKey)), to: key)
        if invite.state == .proceeding { events.append(.cancelled(inviteKey)) }
        return events
    }

    private mutating func statelessResponse(_ request: SIPRequest, key: TransactionKey, status: Int, reliable: Bool) -> [Event] {
        if request.method == .invite {
            var it = ServerInviteTransaction(request: request, reliable: reliable, timers: timers)
            let a = it.respond(SIPResponse(answering: request, statusCode: status, toTag: Self.tag(for: key)))
            servers[key] = .invite(it)
            return apply(a, key)
        }
        var t = ServerNonInviteTransaction(request: request, reliable: reliable, timers: timers)
        let a = t.respond(SIPResponse(answering: request, statusCode: status, toTag: Self.tag(for: key)))
        servers[key] = .nonInvite(t)
        return apply(a, key)
    }

    /// A deterministic To tag for responses the layer generates itself.
    public static func tag(for key: TransactionKey) -> String {
        String(UInt64(bitPattern: Int64(key.value.hashValue)), radix: 36)
    }

    private static func mergeKey(_ r: SIPRequest) -> String? {
        guard let to = try? r.headers.to(), to.tag == nil, let from = try? r.headers.from(),
              let callID = try? r.headers.callID(), let cseq = try? r.headers.cseq()
        else { return nil }
        return "\(from.tag ?? "")|\(callID)|\(cseq)"
    }

    private mutating func apply(_ actions: [TransactionAction], _ key: TransactionKey) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(actions.count)
        for a in actions {
            switch a {
            case .send(let m): events.append(.send(m, key))
            case .deliverResponse(let r): events.append(.response(r, key))
            case .startTimer(let t, let d): events.append(.startTimer(key, t, d))
            case .cancelTimer(let t): events.append(.cancelTimer(key, t))
            case .timedOut: events.append(.timedOut(key))
            case .transportError: events.append(.transportError(key))
            case .terminated:
                servers[key] = nil
                clients[key] = nil
                if let mk = mergeKeys.removeValue(forKey: key), mergeIndex[mk] == key { mergeIndex[mk] = nil }
                events.append(.terminated(key))
            }
        }
        return events
    }
}
