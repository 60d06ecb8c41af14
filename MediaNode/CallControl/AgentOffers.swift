/// The offers of one waiting call to agents' phones (issue 14), as a pure state machine: events
/// in, actions out; `CallRuntime` performs the actions (INVITE, CANCEL, BYE, bridge, telling the
/// ACD) and feeds their results back as events.
///
/// The ACD may offer a call to several agents at once (ring-all). The first phone to answer wins
/// and is bridged; once the bridge is up, the others are CANCELled (their phones answer 487) and
/// the ACD is told who answered, which releases the others' reservations. A phone that declines
/// or fails ends only its own offer, and the ACD hears of it (`rejected`), so it can move on; a
/// ring timeout or any other withdrawal comes from the ACD itself, which therefore needs no report.
/// A phone whose 2xx arrives too late (another answer won, the offer was withdrawn, the caller
/// left) is hung up (BYE).
///
/// The answer is reported to the ACD only when the bridge is up, and the others keep ringing
/// until then, so the ACD and the node agree at every step: if the winner's answer turns out
/// unusable (no or bad SDP), it is reported `rejected` and the call is still offered to the rest.
/// A phone that answers while the winner is being connected is hung up at once; if the winner
/// then fails, that agent is reported `rejected` too (the node let its answer go).
///
/// Every `.bridge` and `.hangUp` action names the offer whose event produced it, so the task
/// that rings a phone performs those for its own call leg; the other actions are the call's.
package struct AgentOffers: Sendable, Equatable {
    /// Identifies one offer: the same agent may be offered the same call again later.
    package typealias OfferID = Int

    package enum Phase: Sendable, Hashable {
        /// INVITE sent, no final response yet.
        case ringing
        /// CANCEL sent (withdrawn, answered elsewhere or the caller left); the INVITE's final
        /// response is still to come.
        case cancelling
        /// Answered while another answer was being connected: hung up. Reported `rejected` only
        /// if that other answer fails.
        case dropped
        /// The first answer: caller and agent are being bridged.
        case connecting
        /// Bridged, and the ACD was told.
        case connected
    }

    package struct Offer: Sendable, Hashable {
        package let id: OfferID
        package let agent: String
        package var phase: Phase
    }

    package enum Event: Sendable, Hashable {
        /// The ACD offers the call to `agent`.
        case offered(agent: String)
        /// The ACD withdraws its offer to `agent` (ring timeout, another agent answered, it moved on).
        case withdrawn(agent: String)
        /// The offer's phone answered (2xx).
        case answered(OfferID)
        /// The offer's INVITE ended without an answer: declined, unreachable, timed out, cancelled,
        /// or no media could be set up for it.
        case failed(OfferID)
        /// Caller and agent are bridged.
        case bridged(OfferID)
        /// The answer was unusable (no or bad SDP, the media failed).
        case bridgeFailed(OfferID)
        /// The caller hung up (or the call ended otherwise): the runtime tells the ACD itself.
        case callerLeft
    }

    package enum Action: Sendable, Hashable {
        /// INVITE the agent's phone.
        case ring(OfferID, agent: String)
        /// Stop the phone ringing: CANCEL (RFC 3261 §9.1).
        case cancel(OfferID)
        /// The offer's phone answered but must not be connected: BYE it and release its media.
        case hangUp(OfferID)
        /// Bridge the caller with the offer's phone, then feed `bridged` or `bridgeFailed`.
        case bridge(OfferID)
        /// Tell the ACD how an offer ended.
        case report(Outcome)
    }

    package enum Outcome: Sendable, Hashable {
        case answered(agent: String)
        case rejected(agent: String)
    }

    /// Offers still open (not ended), oldest first.
    package private(set) var offers: [Offer] = []
    /// The caller left: nothing more is offered or connected.
    package private(set) var callerLeft = false
    private var nextID: OfferID = 1

    package init() {}

    /// The offer `id`'s phase, or nil when it has ended or never existed.
    package func phase(of id: OfferID) -> Phase? {
        offers.first { $0.id == id }?.phase
    }

    /// The agent being connected or connected, if any.
    package var winner: Offer? {
        offers.first { $0.phase == .connecting || $0.phase == .connected }
    }

    /// An answer is being connected: nothing may start playing to the caller.
    package var isConnecting: Bool { offers.contains { $0.phase == .connecting } }

    /// Agents whose phones ring now.
    package var ringingAgents: [String] { offers.filter { $0.phase == .ringing }.map(\.agent) }

    package mutating func handle(_ event: Event) -> [Action] {
        switch event {
        case .offered(let agent): offered(agent)
        case .withdrawn(let agent): withdrawn(agent)
        case .answered(let id): answered(id)
        case .failed(let id): failed(id)
        case .bridged(let id): bridged(id)
        case .bridgeFailed(let id): bridgeFailed(id)
        case .callerLeft: leave()
        }
    }

    private mutating func offered(_ agent: String) -> [Action] {
        // The call is gone or taken: the ACD must not keep the agent reserved for it.
        if callerLeft || offers.contains(where: { $0.phase == .connected }) { return [.report(.rejected(agent: agent))] }
        // Already offered and not yet settled: a duplicate, nothing to do.
        if offers.contains(where: { $0.agent == agent && $0.phase != .cancelling }) { return [] }
        let id = nextID
        nextID += 1
        offers.append(Offer(id: id, agent: agent, phase: .ringing))
        return [.ring(id, agent: agent)]
    }

    private mutating func withdrawn(_ agent: String) -> [Action] {
        guard let i = offers.firstIndex(where: { $0.agent == agent && $0.phase != .cancelling }) else { return [] }
        switch offers[i].phase {
        case .ringing:
            offers[i].phase = .cancelling
            return [.cancel(offers[i].id)]
        case .connecting:
            // The ACD gave up on this agent (its ring timeout) as the answer came in: the ACD's word
            // stands; the bridge is torn down when it completes. Answers dropped for it are reported.
            offers.remove(at: i)
            return reportDropped()
        case .dropped:
            offers.remove(at: i) // the ACD has released this agent itself
            return []
        case .connected, .cancelling:
            return []
        }
    }

    private mutating func answered(_ id: OfferID) -> [Action] {
        guard let i = offers.firstIndex(where: { $0.id == id }) else { return [.hangUp(id)] } // ended already
        switch offers[i].phase {
        case .ringing where callerLeft:
            offers.remove(at: i)
            return [.hangUp(id)]
        case .ringing:
            if offers.contains(where: { $0.phase == .connected }) {
                offers.remove(at: i) // the ACD released it when told of the winner
                return [.hangUp(id)]
            }
            if offers.contains(where: { $0.phase == .connecting }) {
                offers[i].phase = .dropped
                return [.hangUp(id)]
            }
            offers[i].phase = .connecting
            return [.bridge(id)]
        case .cancelling:
            offers.remove(at: i) // the 2xx crossed our CANCEL
            return [.hangUp(id)]
        case .dropped, .connecting, .connected:
            return [] // a repeated answer
        }
    }

    private mutating func failed(_ id: OfferID) -> [Action] {
        guard let i = offers.firstIndex(where: { $0.id == id }) else { return [] }
        switch offers[i].phase {
        case .ringing:
            let agent = offers[i].agent
            offers.remove(at: i)
            return callerLeft ? [] : [.report(.rejected(agent: agent))]
        case .cancelling:
            offers.remove(at: i) // whoever cancelled it told the ACD, or the ACD did it
            return []
        case .dropped, .connecting, .connected:
            return [] // answered already: the INVITE cannot fail any more
        }
    }

    private mutating func bridged(_ id: OfferID) -> [Action] {
        guard let i = offers.firstIndex(where: { $0.id == id }) else { return [.hangUp(id)] } // withdrawn meanwhile
        guard offers[i].phase == .connecting else { return [] } // not answered, or a repeat: ignored
        if callerLeft {
            offers.remove(at: i)
            return [.hangUp(id)]
        }
        offers[i].phase = .connected
        let winner = offers[i].agent
        var actions: [Action] = []
        offers = offers.compactMap { offer in
            var offer = offer
            switch offer.phase {
            case .ringing:
                offer.phase = .cancelling
                actions.append(.cancel(offer.id))
                return offer
            case .dropped:
                return nil // the ACD releases it when told of the winner
            case .cancelling, .connecting, .connected:
                return offer
            }
        }
        actions.append(.report(.answered(agent: winner)))
        return actions
    }

    private mutating func bridgeFailed(_ id: OfferID) -> [Action] {
        guard let i = offers.firstIndex(where: { $0.id == id }) else { return [.hangUp(id)] } // withdrawn meanwhile
        guard offers[i].phase == .connecting else { return [] } // not answered, or connected: ignored
        let agent = offers[i].agent
        offers.remove(at: i)
        if callerLeft { return [.hangUp(id)] }
        return [.hangUp(id), .report(.rejected(agent: agent))] + reportDropped()
    }

    private mutating func leave() -> [Action] {
        guard !callerLeft else { return [] }
        callerLeft = true
        var actions: [Action] = []
        offers = offers.compactMap { offer in
            var offer = offer
            switch offer.phase {
            case .ringing:
                offer.phase = .cancelling
                actions.append(.cancel(offer.id))
                return offer
            case .dropped:
                return nil // hung up already; the ACD releases every agent of a call whose caller left
            case .cancelling, .connecting, .connected:
                return offer
            }
        }
        return actions
    }

    /// Answers let go for a winner that did not connect: the ACD still holds those agents.
    private mutating func reportDropped() -> [Action] {
        let dropped = offers.filter { $0.phase == .dropped }
        offers.removeAll { $0.phase == .dropped }
        return dropped.map { .report(.rejected(agent: $0.agent)) }
    }
}
