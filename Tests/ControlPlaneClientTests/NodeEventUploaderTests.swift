import ControlPlaneAPI
import ControlPlaneClient
import Foundation
import NodeTestSupport
import OpenAPIRuntime
import Testing

@Suite("NodeEventUploader")
struct NodeEventUploaderTests {
    static func event(_ n: Int) throws -> NodeEventUploader.Event {
        NodeEventUploader.Event(tenantId: "00000000-0000-4000-8000-000000000001", _type: .call_offered,
                                at: Date(timeIntervalSince1970: 1_790_000_000 + Double(n)),
                                data: .init(additionalProperties: try OpenAPIObjectContainer(unvalidatedValue: ["callId": "call-\(n)", "caller": "+8613800000000"])))
    }

    @Test("events reach the control plane in order; those published before registration wait for the credential")
    func uploadsInOrder() async throws {
        let cp = FakeControlPlane()
        try await cp.serve { url in
            let connection = ControlPlaneConnection(serverURL: url)
            let registered = RegisteredFlag()
            let uploader = NodeEventUploader { await registered.isSet ? connection.client(credential: FakeControlPlane.credential) : nil }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await uploader.run() }
                for n in 0..<5 { uploader.publish(try Self.event(n)) }
                await registered.set()
                for n in 5..<8 { uploader.publish(try Self.event(n)) }
                while uploader.counts.uploaded + uploader.counts.dropped < 8 { try await Task.sleep(for: .milliseconds(10)) }
                group.cancelAll()
            }
            let bodies = cp.state.withLock { $0.events }
            let ids = bodies.flatMap { body -> [String] in
                let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
                return (json?["events"] as? [[String: Any]] ?? []).compactMap { ($0["data"] as? [String: Any])?["callId"] as? String }
            }
            // The first batch failed before registration and was retried; everything arrives once, in order.
            #expect(ids == (0..<8).map { "call-\($0)" })
            #expect(uploader.counts.dropped == 0)
        }
    }
}

actor RegisteredFlag {
    var isSet = false
    func set() { isSet = true }
}
