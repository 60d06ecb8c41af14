@testable import CallControl
import Testing

/// Who hears what while a phone holds (issue 14, RFC 3264 §8.4).
@Suite("hold on a bridged call", .tags(.unit))
struct CallHoldTests {
    @Test("every combination of caller and agent holding")
    func everyCombination() {
        #expect(CallHold.media(callerHolds: false, agentHolds: false) == .talking)
        #expect(CallHold.media(callerHolds: true, agentHolds: false) == .musicToAgent)
        #expect(CallHold.media(callerHolds: false, agentHolds: true) == .musicToCaller)
        #expect(CallHold.media(callerHolds: true, agentHolds: true) == .musicToAgent, "both hold: nothing is sent to either")
    }
}
