import CallControl
import Testing

/// `AgentOffers`, the offers of one call to agents' phones (issue 14): every event in every state
/// of an offer, the ring-all races, and random sequences against a model of the ACD and the phones.
@Suite("Offers of a call to agents (pure)", .tags(.unit))
struct AgentOffersTests {
    typealias Action = AgentOffers.Action
    typealias Phase = AgentOffers.Phase

    /// Where offer A (to agent "a") is before the event under test.
    enum Setup: String, CaseIterable, CustomTestStringConvertible {
        case ringing, cancelling, connecting, dropped, connected, ended, ringingCallerLeft, connectingCallerLeft
        var testDescription: String { rawValue }

        /// The offers in that state, and A's id.
        func make() -> (AgentOffers, AgentOffers.OfferID) {
            var o = AgentOffers()
            switch self {
            case .ringing:
                _ = o.handle(.offered(agent: "a"))
            case .cancelling:
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.withdrawn(agent: "a"))
            case .connecting:
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.answered(1))
            case .dropped: // b (offer 1) answered first and is being connected; a (offer 2) answered next
                _ = o.handle(.offered(agent: "b"))
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.answered(1))
                _ = o.handle(.answered(2))
                return (o, 2)
            case .connected:
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.answered(1))
                _ = o.handle(.bridged(1))
            case .ended: // declined
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.failed(1))
            case .ringingCallerLeft:
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.callerLeft)
            case .connectingCallerLeft:
                _ = o.handle(.offered(agent: "a"))
                _ = o.handle(.answered(1))
                _ = o.handle(.callerLeft)
            }
            return (o, 1)
        }
    }

    enum Input: String, CaseIterable, CustomTestStringConvertible {
        case offeredSameAgent, offeredOtherAgent, withdrawn, answered, failed, bridged, bridgeFailed, callerLeft
        var testDescription: String { rawValue }

        func event(offer: AgentOffers.OfferID) -> AgentOffers.Event {
            switch self {
            case .offeredSameAgent: .offered(agent: "a")
            case .offeredOtherAgent: .offered(agent: "c")
            case .withdrawn: .withdrawn(agent: "a")
            case .answered: .answered(offer)
            case .failed: .failed(offer)
            case .bridged: .bridged(offer)
            case .bridgeFailed: .bridgeFailed(offer)
            case .callerLeft: .callerLeft
            }
        }
    }

    /// What each event does to offer A in each state: the actions, and A's phase afterwards (nil: ended).
    /// `next` is the id a new offer gets.
    static func expected(_ setup: Setup, _ input: Input) -> (actions: [Action], phase: Phase?) {
        switch (setup, input) {
        // Ringing: a duplicate offer is ignored; the first answer is bridged; a decline is reported.
        case (.ringing, .offeredSameAgent): ([], .ringing)
        case (.ringing, .offeredOtherAgent): ([.ring(2, agent: "c")], .ringing)
        case (.ringing, .withdrawn): ([.cancel(1)], .cancelling)
        case (.ringing, .answered): ([.bridge(1)], .connecting)
        case (.ringing, .failed): ([.report(.rejected(agent: "a"))], nil)
        case (.ringing, .bridged), (.ringing, .bridgeFailed): ([], .ringing) // not answered: ignored
        case (.ringing, .callerLeft): ([.cancel(1)], .cancelling)
        // Cancelling: the INVITE's end is awaited; a 2xx crossing the CANCEL is hung up; the agent may be offered again.
        case (.cancelling, .offeredSameAgent): ([.ring(2, agent: "a")], .cancelling)
        case (.cancelling, .offeredOtherAgent): ([.ring(2, agent: "c")], .cancelling)
        case (.cancelling, .withdrawn), (.cancelling, .bridged), (.cancelling, .bridgeFailed), (.cancelling, .callerLeft):
            ([], .cancelling)
        case (.cancelling, .answered): ([.hangUp(1)], nil)
        case (.cancelling, .failed): ([], nil)
        // Connecting: the bridge decides; the ACD withdrawing it wins (the leg is hung up when the bridge reports).
        case (.connecting, .offeredSameAgent), (.connecting, .answered), (.connecting, .failed), (.connecting, .callerLeft):
            ([], .connecting)
        case (.connecting, .offeredOtherAgent): ([.ring(2, agent: "c")], .connecting)
        case (.connecting, .withdrawn): ([], nil)
        case (.connecting, .bridged): ([.report(.answered(agent: "a"))], .connected)
        case (.connecting, .bridgeFailed): ([.hangUp(1), .report(.rejected(agent: "a"))], nil)
        // Dropped (answered while b was being connected, hung up): waits for b's outcome.
        case (.dropped, .offeredSameAgent), (.dropped, .answered), (.dropped, .failed), (.dropped, .bridged), (.dropped, .bridgeFailed):
            ([], .dropped)
        case (.dropped, .offeredOtherAgent): ([.ring(3, agent: "c")], .dropped)
        case (.dropped, .withdrawn), (.dropped, .callerLeft): ([], nil)
        // Connected: the call is taken; further offers are refused so the ACD frees those agents.
        case (.connected, .offeredSameAgent): ([.report(.rejected(agent: "a"))], .connected)
        case (.connected, .offeredOtherAgent): ([.report(.rejected(agent: "c"))], .connected)
        case (.connected, _): ([], .connected)
        // Ended (declined): a late answer is hung up, the agent can be offered again.
        case (.ended, .offeredSameAgent): ([.ring(2, agent: "a")], nil)
        case (.ended, .offeredOtherAgent): ([.ring(2, agent: "c")], nil)
        case (.ended, .answered), (.ended, .bridged), (.ended, .bridgeFailed): ([.hangUp(1)], nil)
        case (.ended, .withdrawn), (.ended, .failed), (.ended, .callerLeft): ([], nil)
        // The caller left: nothing is offered any more (the ACD hears of the offer as rejected), answers are hung up.
        case (.ringingCallerLeft, .offeredSameAgent): ([.report(.rejected(agent: "a"))], .cancelling)
        case (.ringingCallerLeft, .offeredOtherAgent): ([.report(.rejected(agent: "c"))], .cancelling)
        case (.ringingCallerLeft, .answered): ([.hangUp(1)], nil)
        case (.ringingCallerLeft, .failed): ([], nil)
        case (.ringingCallerLeft, _): ([], .cancelling)
        case (.connectingCallerLeft, .offeredSameAgent): ([.report(.rejected(agent: "a"))], .connecting)
        case (.connectingCallerLeft, .offeredOtherAgent): ([.report(.rejected(agent: "c"))], .connecting)
        case (.connectingCallerLeft, .withdrawn): ([], nil)
        case (.connectingCallerLeft, .bridged), (.connectingCallerLeft, .bridgeFailed): ([.hangUp(1)], nil)
        case (.connectingCallerLeft, _): ([], .connecting)
        }
    }

    @Test("every event in every state of an offer", arguments: Setup.allCases, Input.allCases)
    func everyEventInEveryState(_ setup: Setup, _ input: Input) {
        var (offers, a) = setup.make()
        let actions = offers.handle(input.event(offer: a))
        let want = Self.expected(setup, input)
        #expect(actions == want.actions)
        #expect(offers.phase(of: a) == want.phase)
        #expect(offers.offers.filter { $0.phase == .connecting || $0.phase == .connected }.count <= 1, "one winner at most")
    }

    @Test("ring-all: the second agent answers first, is bridged; the others are CANCELled and the ACD hears one answer")
    func ringAllFirstAnswerWins() {
        var o = AgentOffers()
        #expect(o.handle(.offered(agent: "a")) == [.ring(1, agent: "a")])
        #expect(o.handle(.offered(agent: "b")) == [.ring(2, agent: "b")])
        #expect(o.handle(.offered(agent: "c")) == [.ring(3, agent: "c")])
        #expect(o.handle(.answered(2)) == [.bridge(2)])
        #expect(o.isConnecting)
        #expect(o.ringingAgents == ["a", "c"], "the others ring until the bridge is up")
        #expect(o.handle(.bridged(2)) == [.cancel(1), .cancel(3), .report(.answered(agent: "b"))])
        #expect(o.winner?.agent == "b" && !o.isConnecting)
        // The ACD then withdraws the others itself: already cancelled.
        #expect(o.handle(.withdrawn(agent: "a")) == [])
        #expect(o.handle(.withdrawn(agent: "c")) == [])
        #expect(o.handle(.failed(1)) == [])  // 487
        #expect(o.handle(.failed(3)) == [])
        #expect(o.offers.map(\.agent) == ["b"])
    }

    @Test("ring-all: a decline and a ring timeout end only their own offers; the last phone still wins")
    func rejectionAndTimeoutDoNotEndTheOthers() {
        var o = AgentOffers()
        for agent in ["a", "b", "c"] { _ = o.handle(.offered(agent: agent)) }
        #expect(o.handle(.failed(1)) == [.report(.rejected(agent: "a"))])   // 486
        #expect(o.handle(.withdrawn(agent: "b")) == [.cancel(2)])           // the ACD's ring timeout
        #expect(o.ringingAgents == ["c"])
        #expect(o.handle(.failed(2)) == [])
        #expect(o.handle(.answered(3)) == [.bridge(3)])
        #expect(o.handle(.bridged(3)) == [.report(.answered(agent: "c"))])
    }

    @Test("a second answer while the first is being connected is hung up; it is reported only if the first fails")
    func secondAnswerDuringConnect() {
        var o = AgentOffers()
        _ = o.handle(.offered(agent: "a"))
        _ = o.handle(.offered(agent: "b"))
        _ = o.handle(.answered(1))
        #expect(o.handle(.answered(2)) == [.hangUp(2)])
        var failing = o
        #expect(o.handle(.bridged(1)) == [.report(.answered(agent: "a"))])
        #expect(o.offers.map(\.agent) == ["a"])
        #expect(failing.handle(.bridgeFailed(1)) == [.hangUp(1), .report(.rejected(agent: "a")), .report(.rejected(agent: "b"))])
        #expect(failing.offers.isEmpty)
    }

    @Test("the ACD withdraws the offer being connected (its ring timeout as the answer came): the leg is hung up, nothing reported")
    func withdrawnWhileConnecting() {
        var o = AgentOffers()
        _ = o.handle(.offered(agent: "a"))
        _ = o.handle(.offered(agent: "b"))
        _ = o.handle(.answered(1))
        _ = o.handle(.answered(2))          // dropped for a
        #expect(o.handle(.withdrawn(agent: "a")) == [.report(.rejected(agent: "b"))], "the ACD still held b")
        #expect(o.handle(.bridged(1)) == [.hangUp(1)])
        #expect(o.offers.isEmpty)
    }

    @Test("an agent offered again while the old INVITE is still being cancelled: the old one's end does not touch the new offer")
    func reofferWhileCancelling() {
        var o = AgentOffers()
        _ = o.handle(.offered(agent: "a"))
        #expect(o.handle(.withdrawn(agent: "a")) == [.cancel(1)])
        #expect(o.handle(.offered(agent: "a")) == [.ring(2, agent: "a")])
        #expect(o.handle(.failed(1)) == [], "no rejection reported for the new offer")
        #expect(o.phase(of: 2) == .ringing)
        #expect(o.handle(.withdrawn(agent: "a")) == [.cancel(2)], "the live offer is the one withdrawn")
    }

    @Test("the caller hangs up while three phones ring: all are CANCELled, late answers hung up, later offers refused")
    func callerLeavesDuringRingAll() {
        var o = AgentOffers()
        for agent in ["a", "b", "c"] { _ = o.handle(.offered(agent: agent)) }
        #expect(o.handle(.callerLeft) == [.cancel(1), .cancel(2), .cancel(3)])
        #expect(o.handle(.failed(1)) == [])
        #expect(o.handle(.answered(2)) == [.hangUp(2)])
        #expect(o.handle(.offered(agent: "d")) == [.report(.rejected(agent: "d"))])
        #expect(o.handle(.callerLeft) == [])
    }

    // MARK: Random sequences

    /// A model of the ACD's view of the call and of the phones, driven by random events; the
    /// offers' actions are performed on it. After the phones have all settled, no agent may stay
    /// reserved, the ACD and the offers must agree on who is connected, and every answered leg
    /// but the connected one must have been hung up.
    struct World {
        var offers = AgentOffers()
        var rng: SplitMix
        var reserved: Set<String> = []      // the ACD: agents offered the call
        var acdConnected: String?
        var callGone = false
        var agentOf: [AgentOffers.OfferID: String] = [:]
        var outstanding: Set<AgentOffers.OfferID> = []   // INVITEs without a final result
        var bridging: Set<AgentOffers.OfferID> = []
        var legsUp: Set<AgentOffers.OfferID> = []
        var problems: [String] = []

        mutating func feed(_ event: AgentOffers.Event) {
            for action in offers.handle(event) {
                switch action {
                case .ring(let id, let agent):
                    if outstanding.contains(id) || agentOf[id] != nil { problems.append("offer \(id) rung twice") }
                    agentOf[id] = agent
                    outstanding.insert(id)
                case .cancel(let id):
                    if !outstanding.contains(id) { problems.append("CANCEL for \(id), which is not ringing") }
                case .hangUp(let id):
                    if legsUp.remove(id) == nil { problems.append("BYE for \(id), which has no leg") }
                case .bridge(let id):
                    if !legsUp.contains(id) { problems.append("bridge for \(id), which has no leg") }
                    bridging.insert(id)
                case .report(.answered(let agent)):
                    guard reserved.contains(agent), !callGone else {
                        problems.append("answered(\(agent)) but the ACD holds \(reserved.sorted())"); continue
                    }
                    acdConnected = agent
                    let others = reserved.subtracting([agent])
                    reserved = []
                    for other in others.sorted() { feed(.withdrawn(agent: other)) } // the ACD's cancelOffer
                case .report(.rejected(let agent)):
                    if reserved.remove(agent) == nil { problems.append("rejected(\(agent)) but the ACD holds \(reserved.sorted())") }
                }
            }
            if offers.offers.filter({ $0.phase == .connecting || $0.phase == .connected }).count > 1 {
                problems.append("two winners: \(offers.offers)")
            }
        }

        mutating func settle(_ id: AgentOffers.OfferID) {
            outstanding.remove(id)
            if rng.next() % 2 == 0 {
                legsUp.insert(id)
                feed(.answered(id))
            } else {
                feed(.failed(id))
            }
        }

        mutating func finishBridge(_ id: AgentOffers.OfferID) {
            bridging.remove(id)
            feed(rng.next() % 4 == 0 ? .bridgeFailed(id) : .bridged(id))
        }

        mutating func step() {
            switch rng.next() % 6 {
            case 0 where !callGone && acdConnected == nil && reserved.isEmpty:
                let agents = ["a", "b", "c", "d"].filter { _ in rng.next() % 2 == 0 }
                reserved = Set(agents)
                for agent in agents { feed(.offered(agent: agent)) }
            case 1 where !reserved.isEmpty:
                let agent = reserved.sorted()[Int(rng.next() % UInt64(reserved.count))]
                reserved.remove(agent)
                feed(.withdrawn(agent: agent))   // ring timeout
            case 2 where !outstanding.isEmpty:
                settle(outstanding.sorted()[Int(rng.next() % UInt64(outstanding.count))])
            case 3 where !bridging.isEmpty:
                finishBridge(bridging.sorted()[Int(rng.next() % UInt64(bridging.count))])
            case 4 where !callGone && rng.next() % 8 == 0:
                callGone = true
                reserved = []            // the ACD releases every agent of a call whose caller hung up
                feed(.callerLeft)
            default:
                if !outstanding.isEmpty { settle(outstanding.sorted()[0]) }
            }
        }
    }

    @Test("random offer, withdraw, answer, fail, bridge and hang-up sequences leave no agent reserved and one answer at most",
          arguments: 0..<400)
    func randomSequences(_ seed: Int) {
        var w = World(rng: SplitMix(seed: UInt64(seed)))
        for _ in 0..<(10 + seed % 30) { w.step() }
        while !w.outstanding.isEmpty || !w.bridging.isEmpty { // the phones settle
            if let id = w.outstanding.sorted().first { w.settle(id) } else if let id = w.bridging.sorted().first { w.finishBridge(id) }
        }
        #expect(w.problems == [], "seed \(seed)")
        #expect(w.reserved.isEmpty, "seed \(seed): agents left reserved: \(w.reserved.sorted())")
        let winner = w.offers.winner
        #expect(winner?.phase != .connecting, "seed \(seed)")
        if !w.callGone {
            #expect(winner?.agent == w.acdConnected, "seed \(seed): node \(String(describing: winner)), ACD \(String(describing: w.acdConnected))")
        }
        #expect(w.legsUp == Set(winner.map { [$0.id] } ?? []), "seed \(seed): legs up \(w.legsUp.sorted())")
    }
}

/// A small seeded generator (SplitMix64) so every random sequence can be replayed by its seed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
