// ACD decision latency at scale.
//
//     swift run -c release ACDBenchmarks [agents] [queues] [waiting] [events]
//
// Defaults: 10,000 agents, 1,000 queues, 100,000 waiting calls, 200,000 measured events: a steady
// mix of call completions (the freed agent picks the best caller across their queues), new
// arrivals, breaks / returns, abandons, exit keys and timer advances (announcements, escalation).
// Prints p50 / p99 / p99.9 / max of `handle(_:now:)` / `advance(to:)` per event kind.
import ACD
import CallCenterModel
import Foundation

struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let args = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let agentCount = args.count > 0 ? args[0] : 10_000
let queueCount = args.count > 1 ? args[1] : 1_000
let waitingTarget = args.count > 2 ? args[2] : 100_000
let measuredEvents = args.count > 3 ? args[3] : 200_000

var rng = Rng(s: 42)
let skills = (0..<20).map { "skill\($0)" }
let strategies: [QueueStrategy] = [.longestIdle, .skillsBased, .roundRobin, .fewestCalls, .leastTalkTime, .priority,
                                   .linear, .random, .weightedRandom, .longestIdle]
var queueConfigs: [(id: ACDQueueID, configuration: QueueConfiguration)] = []
for q in 0..<queueCount {
    let strategy = strategies[q % strategies.count]
    var config = QueueConfiguration(strategy: strategy)
    if strategy == .skillsBased || q % 3 == 0 {
        config.requiredSkills = [SkillRequirement(skill: skills[q % skills.count], minLevel: 3)]
        config.escalation = [QueueEscalationStep(afterSeconds: 120, skills: [SkillRequirement(skill: skills[q % skills.count], minLevel: 1)])]
    }
    config.announcements = QueueAnnouncements(positionIntervalSeconds: 60, estimatedWaitIntervalSeconds: 120)
    config.weight = 1 + q % 3
    config.exitKey = "0"
    queueConfigs.append((ACDQueueID("q\(q)"), config))
}
var agentConfigs: [(id: ACDAgentID, configuration: AgentConfiguration)] = []
for a in 0..<agentCount {
    // Each agent serves 3 queues (skill groups), so each queue has about 30 members.
    let home = a % queueCount
    let queues = [home, (home + 1 + rng.int(queueCount - 1)) % queueCount, (home + 1 + rng.int(queueCount - 1)) % queueCount]
    let memberships = Array(Set(queues)).sorted().map { QueueMembership(queue: "q\($0)", tier: rng.int(4) == 0 ? 1 : 0, weight: 1 + rng.int(3)) }
    let agentSkills = Set(queues.map { $0 % skills.count } + [rng.int(skills.count)]).sorted().map {
        SkillLevel(skill: skills[$0], level: 1 + rng.int(10))
    }
    agentConfigs.append((ACDAgentID("a\(a)"), AgentConfiguration(skills: agentSkills, queues: memberships)))
}

let setupStart = ContinuousClock.now
var engine = ACDEngine(queues: queueConfigs, agents: agentConfigs)
var now = Date(timeIntervalSince1970: 1_800_000_000)
var connected: [ACDCallID] = []          // calls with an agent, in answer order
var connectedAgent: [ACDCallID: ACDAgentID] = [:]
var waiting = Set<ACDCallID>()
var waitingList: [ACDCallID] = []        // for random picks (lazily cleaned)
var onBreak: [ACDAgentID] = []
var nextCall = 0

/// Performs the actions: agents answer offers at once; overflowed calls go away.
@MainActor func perform(_ actions: [ACDAction]) {
    for action in actions {
        switch action {
        case .offer(let call, let agent, _):
            waiting.remove(call)
            let more = engine.handle(.answered(call, agent: agent), now: now)
            connected.append(call)
            connectedAgent[call] = agent
            perform(more)
        case .overflow(let call, _, _):
            waiting.remove(call)
        default:
            break
        }
    }
}

@MainActor func enqueue() -> [ACDAction] {
    nextCall += 1
    let id = ACDCallID("c\(nextCall)")
    let q = rng.int(queueCount)
    waiting.insert(id)
    waitingList.append(id)
    return engine.handle(.enqueue(id, queue: ACDQueueID("q\(q)"), priority: rng.int(10) == 0 ? 1 : 0), now: now)
}

for (id, _) in agentConfigs { perform(engine.handle(.login(id), now: now)) }
while waiting.count < waitingTarget {
    perform(enqueue())
    now = now.addingTimeInterval(0.001)
}
let setup = ContinuousClock.now - setupStart
print("setup: \(agentCount) agents, \(queueCount) queues, \(waiting.count) waiting, \(connected.count) connected in \(setup)")

enum Kind: String, CaseIterable { case callEnded = "call ends (agent picks next caller)", arrival = "arrival", breakStart = "agent break", ready = "agent ready (picks caller)", abandon = "abandon", exitKey = "exit key", advance = "timers due in a 10 ms tick" }
var samples: [Kind: [Duration]] = [:]
let clock = ContinuousClock()

@MainActor func measure(_ kind: Kind, _ body: () -> [ACDAction]) {
    let start = clock.now
    let out = body()
    samples[kind, default: []].append(clock.now - start)
    perform(out)
}

@MainActor func randomWaiting() -> ACDCallID? {
    for _ in 0..<8 {
        guard !waitingList.isEmpty else { return nil }
        let i = rng.int(waitingList.count)
        let id = waitingList[i]
        if waiting.contains(id) { return id }
        waitingList.swapAt(i, waitingList.count - 1)
        waitingList.removeLast()
    }
    return nil
}

for i in 0..<measuredEvents {
    // Each event happens 10 ms after the previous one; timers due by then (about 17 position and 8
    // wait announcements per tick with 100,000 callers, plus escalations) fire first, measured apart.
    now = now.addingTimeInterval(0.01)
    measure(.advance) { engine.advance(to: now) }
    switch rng.int(100) {
    case 0..<40:
        // Steady state: keep about `waitingTarget` callers waiting.
        guard !connected.isEmpty else { continue }
        let idx = rng.int(min(connected.count, 64))
        let call = connected.remove(at: idx)
        connectedAgent[call] = nil
        measure(.callEnded) { engine.handle(.callEnded(call), now: now) }
    case 40..<80:
        measure(.arrival) { enqueue() }
    case 80..<85:
        // An agent on a call asks for a break (taken when the call ends).
        guard !connected.isEmpty else { continue }
        let agent = connectedAgent[connected[rng.int(connected.count)]]!
        onBreak.append(agent)
        measure(.breakStart) { engine.handle(.startBreak(agent, reason: "coffee"), now: now) }
    case 85..<90:
        // A break ends: the agent picks the best caller across their queues.
        if let i = onBreak.indices.first(where: { if case .onBreak = engine.agentState(onBreak[$0]) { true } else { false } }) {
            let agent = onBreak.remove(at: i)
            measure(.ready) { engine.handle(.ready(agent), now: now) }
        }
    case 90..<95:
        if let call = randomWaiting() {
            waiting.remove(call)
            measure(.abandon) { engine.handle(.callerHungUp(call), now: now) }
        }
    case 95..<97:
        if let call = randomWaiting() {
            measure(.exitKey) { engine.handle(.digit(call, key: "0"), now: now) }
        }
    default:
        break
    }
    if i % 50_000 == 0 && i > 0 { print("… \(i) events, \(waiting.count) waiting") }
}

@MainActor func micros(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
}
var decisions: [Duration] = []
print("\nkind                                      count      p50 µs    p99 µs  p99.9 µs    max µs")
for kind in Kind.allCases {
    guard var s = samples[kind], !s.isEmpty else { continue }
    s.sort()
    if kind != .advance { decisions += s }
    func p(_ q: Double) -> Double { micros(s[min(s.count - 1, Int(Double(s.count) * q))]) }
    print(kind.rawValue.padding(toLength: 40, withPad: " ", startingAt: 0),
          String(format: "%7d %10.2f %9.2f %9.2f %9.2f", s.count, p(0.5), p(0.99), p(0.999), micros(s.last!)))
}
decisions.sort()
@MainActor func pa(_ q: Double) -> Double { micros(decisions[min(decisions.count - 1, Int(Double(decisions.count) * q))]) }
print("all decisions (events, not ticks)".padding(toLength: 40, withPad: " ", startingAt: 0),
      String(format: "%7d %10.2f %9.2f %9.2f %9.2f", decisions.count, pa(0.5), pa(0.99), pa(0.999), micros(decisions.last!)))
print("final: \(waiting.count) waiting, \(connected.count) connected; consistency check skipped (O(n²))")
