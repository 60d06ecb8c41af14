import Foundation
import NodeTestSupport
import Testing

/// The helper every test uses to drive external peers (SIPp, pjsua2, media-node).
@Suite struct LineProcessTests {
    /// A program that ignores SIGTERM (as SIPp does when it inherits a blocked SIGTERM) is still
    /// ended by `terminate`, so no test leaves phones running behind it.
    @Test func terminateEndsAProgramThatIgnoresSIGTERM() async throws {
        let process = try LineProcess("sh", ["-c", "trap '' TERM; echo READY; exec sleep 60"])
        _ = try await process.waitForLine("READY", timeout: .seconds(10))
        let start = ContinuousClock.now
        process.terminate()
        let status = await process.exitStatus()
        #expect(ContinuousClock.now - start < .seconds(10), "terminate returned only when sleep ended by itself")
        #expect(status == SIGKILL)
    }
}
