import Foundation
import HummingbirdWSTesting
import NodeTestSupport
import Synchronization
import Testing

/// The whole platform, all real: the control plane on PostgreSQL, the `media-node` executable
/// registered to it, PJSIP (pjsua2) as the agent's phone and as the caller, and a WebSocket client
/// as the agent desktop. Set-up goes through the public API like a customer's would.
@Suite("System: a call through control plane, media node and PJSIP")
struct SystemCallTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A bilingual menu in front of the queue, published through the API like a customer's.
    static var menu: [String: Any] { [
        "name": "Main line", "start": "welcome", "language": "zh-CN",
        "nodes": [
            "welcome": ["type": "play", "prompt": ["text": "您好，欢迎致电。"], "next": "english"],
            "english": ["type": "play", "prompt": ["text": "For English, press 1.", "language": "en-US"], "next": "menu"],
            "menu": ["type": "menu", "prompt": ["text": "中文服务，请按二。"], "options": ["1": "en", "2": "zh"],
                     "timeoutSeconds": 5, "maxAttempts": 2],
            "en": ["type": "language", "language": "en-US", "next": "queue"],
            "zh": ["type": "language", "language": "zh-CN", "next": "queue"],
            "queue": ["type": "enqueue", "queue": "Support"],
        ] as [String: Any],
    ] }

    /// What a customer sets up first, through the API: tenant "acme", queue "Support", agent Li Na
    /// (user `lina`) with a SIP secret, and number +861012345678 allocated by staff (not routed yet).
    struct Tenant {
        var id: String, key: String, staff: String, queueID: String, agentID: String, secret: String, domain: String
        var did: String, numberID: String
    }

    static func tenant(_ h: ControlPlaneHarness) async throws -> Tenant {
        let (tenantID, key, _) = try await h.signup("acme")
        let queue = try await h.call(.post, "/v1/queues", token: key, json: ["name": "Support", "config": ["strategy": "longest_idle"]])
        let agent = try await h.call(.post, "/v1/agents", token: key, json: ["name": "Li Na", "extension": "1001", "sipUsername": "lina"])
        let staff = try await h.staffToken()
        let did = "+861012345678"
        let numberID = try #require(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": did])["id"] as? String)
        #expect(try await h.call(.put, "/v1/platform/numbers/\(numberID)/allocation", token: staff, json: ["tenantId": tenantID]).status == 200)
        return Tenant(id: tenantID, key: key, staff: staff, queueID: try #require(queue["id"] as? String),
                      agentID: try #require(agent.string("agent", "id")), secret: try #require(agent["sipSecret"] as? String),
                      domain: try #require(agent["sipDomain"] as? String), did: did, numberID: numberID)
    }

    /// The menu behind an uploaded chime (a 1.2 kHz tone): the tenant's own recording, then speech.
    static var menuWithChime: [String: Any] {
        var flow = menu
        var nodes = flow["nodes"] as! [String: Any]
        nodes["chime"] = ["type": "play", "prompt": ["file": "chime.wav"], "next": "welcome"]
        flow["nodes"] = nodes
        flow["start"] = "chime"
        return flow
    }

    @Test("DID → bilingual IVR (key 1 by RFC 4733) → queue → agent phone: tones both ways, the CDR from the API matches what the phones measured, the desktop sees offered/answered/ended",
          .timeLimit(.minutes(3)))
    func wholeCall() async throws {
        try await ControlPlaneHarness.run { h in
            // The tenant, as a customer sets it up: queue, agent with a SIP secret, a number routed to a menu.
            let t = try await Self.tenant(h)
            let (key, queueID, agentID, secret, domain, did, numberID) = (t.key, t.queueID, t.agentID, t.secret, t.domain, t.did, t.numberID)
            let work = try TemporaryDirectory()
            let chime = try PromptsTests.wav(work.path, "chime.wav")
            #expect(try await h.call(.put, "/v1/prompts/chime.wav", token: key, bytes: chime, contentType: "audio/wav").status == 200)
            #expect(try await h.call(.post, "/v1/ivr/flows/main/versions", token: key, json: Self.menuWithChime).status == 201)
            #expect(try await h.call(.put, "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 1]).status == 200)
            #expect(try await h.call(.put, "/v1/numbers/\(numberID)", token: key, json: ["type": "ivr", "ivrAlias": "main"]).status == 200)

            // The media node registers, pulls the tenant's configuration and fetches the uploaded prompt.
            let port = try #require(h.client.port)
            let sipPort = freeUDPPort()
            let node = try launchMediaNode(controlPlaneURL: "http://127.0.0.1:\(port)", bootstrapToken: ControlPlaneHarness.bootstrapToken,
                                           sipPort: sipPort, rtpPorts: "32000-32099", dataDirectory: work.path + "/node", name: "system-test")
            defer { node.terminate() }
            _ = try await node.waitForLineContaining("tenants=1", timeout: .seconds(30))
            _ = try await node.waitForLineContaining("prompts updated", timeout: .seconds(30))

            try WAVSamples.writeCallTones(in: work.path)

            try await h.client.ws("/v1/events", configuration: .bearer(key)) { inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                guard case .text(let ready)? = try await frames.next() else { Issue.record("no ready frame"); return }
                #expect(ready.contains("stream.ready"))
                let seen = Mutex<[(type: String, at: Double, data: String)]>([])
                let (ended, endedSignal) = AsyncStream.makeStream(of: Void.self)
                let (available, availableSignal) = AsyncStream.makeStream(of: Void.self)
                async let reader: Void = {
                    while case .text(let text)? = try await frames.next() {
                        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                              let type = object["type"] as? String else { continue }
                        if type == "agent.state_changed", (object["data"] as? [String: Any])?["to"] as? String == "available" {
                            availableSignal.yield()
                        }
                        guard type.hasPrefix("call.") else { continue }
                        let data = (try? JSONSerialization.data(withJSONObject: object["data"] ?? [:])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                        seen.withLock { $0.append((type, Date().timeIntervalSince1970, data)) }
                        if type == "call.ended" { endedSignal.yield() }
                    }
                }()

                // The caller presses 1 (English) by RFC 4733 during the menu, as a person would.
                let phones = try LineProcess("env", ["CC_DTMF=1", "CC_DTMF_DELAY=1.5", "python3",
                    Self.repositoryRoot.appendingPathComponent("infra/node/pjsua2_callcenter.py").path,
                    String(sipPort), domain, "lina", secret, did,
                    work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav", "2",
                ])
                defer { phones.terminate() }
                _ = try await phones.waitForLine("REGISTERED", timeout: .seconds(20))

                // The supervisor makes the agent available through the API; the node applies it.
                // The desktop sees the agent become available (agent.state_changed), then the call can come.
                let command = try await h.call(.put, "/v1/agents/\(agentID)/state", token: key, json: ["state": "available"])
                #expect(command.status == 202)
                var availableIterator = available.makeAsyncIterator()
                _ = await availableIterator.next()  // from the command, or from the node seeing the phone register

                phones.send("CALL")
                let ringing = Double(try await phones.waitForLine("AGENT_RINGING", timeout: .seconds(20)).split(separator: " ")[1]) ?? 0
                let confirmed = Double(try await phones.waitForLine("AGENT_CONFIRMED", timeout: .seconds(20)).split(separator: " ")[1]) ?? 0
                let hungUp = Double(try await phones.waitForLine("CALLER_HUNGUP", timeout: .seconds(20)).split(separator: " ")[1]) ?? 0
                _ = try await phones.waitForLine("DONE", timeout: .seconds(20))
                var endedIterator = ended.makeAsyncIterator()
                _ = await endedIterator.next()

                // The CDR reaches the API: the node spools it, ships it and logs the control plane's acknowledgement.
                _ = try await node.waitForLineContaining("CDRs shipped", timeout: .seconds(30))
                let cdrs = try await h.call(.get, "/v1/cdrs", token: key).items
                let cdr = try #require(cdrs.first)
                #expect(cdrs.count == 1)
                #expect(cdr["disposition"] as? String == "answered")
                #expect(cdr["did"] as? String == did)
                #expect(cdr["agentId"] as? String == agentID)
                #expect(cdr["queueId"] as? String == queueID)
                #expect(cdr["hangupBy"] as? String == "caller")
                #expect(cdr["ivrPath"] as? [String] == ["chime", "welcome", "english", "menu", "en", "queue"])
                #expect(cdr["ivrInputs"] as? [String: String] == ["menu": "1"])
                #expect((cdr["ivrMs"] as? Int ?? 0) > 0)
                // Timestamps keep their milliseconds from the node to the API.
                let stamps = ["startedAt", "queuedAt", "offeredAt", "answeredAt", "endedAt"].compactMap { cdr[$0] as? String }
                #expect(stamps.count == 5 && stamps.contains { !$0.hasSuffix(".000Z") }, "\(stamps)")
                let talk = Double(cdr["talkMs"] as? Int ?? -1)
                #expect(abs(talk - (hungUp - confirmed) * 1000) < 100, "talk \(talk) ms vs measured \((hungUp - confirmed) * 1000) ms")
                let ring = Double(cdr["ringMs"] as? Int ?? -1)
                #expect(abs(ring - (confirmed - ringing) * 1000) < 100, "ring \(ring) ms vs measured \((confirmed - ringing) * 1000) ms")

                #expect(try await h.call(.get, "/v1/agent-commands/\(try #require(command["id"] as? String))", token: key)["status"] as? String == "applied")
                // A tone each way: the agent heard the caller's 600 Hz, the caller (after the queue) the agent's 1 kHz.
                let agentHeard = try WAVSamples.read(work.path + "/agent-heard.wav")
                let callerHeard = try WAVSamples.read(work.path + "/caller-heard.wav")
                #expect(abs(WAVSamples.frequency(Array(agentHeard.suffix(8000).prefix(4000))) - 600) < 10)
                #expect(abs(WAVSamples.frequency(Array(callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)
                // The call opened with the tenant's uploaded chime (1.2 kHz), fetched by the node.
                // (pjsua's recorder starts a few hundred ms into the call: look at 400 ms windows of the first 2 s.)
                let windows = stride(from: 0, to: 16000 - 3200, by: 800).map { WAVSamples.frequency(Array(callerHeard.dropFirst($0).prefix(3200))) }
                #expect(windows.contains { abs($0 - 1200) < 15 }, "\(windows)")
                let events = seen.withLock { $0 }
                #expect(events.map(\.type) == ["call.offered", "call.answered", "call.ended"])
                // The screen pop carries what the caller chose in the menu.
                let pop = (try? JSONSerialization.jsonObject(with: Data((events.first?.data ?? "{}").utf8))) as? [String: Any] ?? [:]
                #expect(pop["ivrInputs"] as? [String: String] == ["menu": "1"])
                #expect((pop["variables"] as? [String: Any])?["language"] as? String == "en-US")
                #expect(pop["did"] as? String == did)
                if let offered = events.first(where: { $0.type == "call.offered" }) {
                    // Screen pop: the desktop's call.offered against the moment the agent's phone got the INVITE.
                    print("screen-pop: call.offered reached the WebSocket client \(Int((offered.at - ringing) * 1000)) ms after the agent's phone rang")
                }
                try await outbound.close(.normalClosure, reason: nil)
                _ = try? await reader
            }
        }
    }
}

extension SystemCallTests {
    @Test("a call reaching a node that does not home the tenant is redirected (302) to the home node and answered there; staff then move the tenant",
          .timeLimit(.minutes(3)))
    func redirectToHomeNodeAndMove() async throws {
        try await ControlPlaneHarness.run { h in
            let t = try await Self.tenant(h)
            let (tenantID, key, staff, secret, domain, did) = (t.id, t.key, t.staff, t.secret, t.domain, t.did)
            let (queueID, numberID) = (t.queueID, t.numberID)
            _ = try await h.call(.put, "/v1/numbers/\(numberID)", token: key, json: ["type": "queue", "queueId": queueID])

            // Node A registers first and homes the tenant; node B serves nobody.
            let work = try TemporaryDirectory()
            let port = try #require(h.client.port)
            func node(_ name: String, sipPort: Int, rtp: String) throws -> LineProcess {
                try launchMediaNode(controlPlaneURL: "http://127.0.0.1:\(port)", bootstrapToken: ControlPlaneHarness.bootstrapToken,
                                    sipPort: sipPort, rtpPorts: rtp, dataDirectory: work.path + "/" + name, name: name, drainSeconds: 1)
            }
            let sipA = freeUDPPort(), sipB = freeUDPPort()
            let nodeA = try node("node-a", sipPort: sipA, rtp: "32100-32199")
            defer { nodeA.terminate() }
            _ = try await nodeA.waitForLineContaining("tenants=1", timeout: .seconds(30))
            let nodeB = try node("node-b", sipPort: sipB, rtp: "32200-32299")
            defer { nodeB.terminate() }
            _ = try await nodeB.waitForLineContaining("tenants=0", timeout: .seconds(30))
            let home = try await h.call(.get, "/v1/platform/tenants/\(tenantID)/placement", token: staff)
            let nodeAID = try #require(home["nodeId"] as? String)
            #expect(home["nodeName"] as? String == "node-a")

            try WAVSamples.writeCallTones(in: work.path)
            // The agent's phone registers with node A; the caller dials node B.
            let phones = try LineProcess("env", ["CC_CALL_PORT=\(sipB)", "python3",
                Self.repositoryRoot.appendingPathComponent("infra/node/pjsua2_callcenter.py").path,
                String(sipA), domain, "lina", secret, did,
                work.path + "/agent.wav", work.path + "/caller.wav", work.path + "/agent-heard.wav", work.path + "/caller-heard.wav", "2",
            ])
            defer { phones.terminate() }
            _ = try await phones.waitForLine("REGISTERED", timeout: .seconds(20))
            _ = try await nodeA.waitForLineContaining("logged_in=1", timeout: .seconds(10))
            phones.send("CALL")
            let redirected = try await phones.waitForLine("REDIRECTED", timeout: .seconds(20))
            // (pjsua prints the target without its port; node B's log names it, and the CDR below shows where the call went.)
            #expect(redirected.contains(did))
            #expect(nodeB.lines.contains { $0.contains("redirected") && $0.contains("@127.0.0.1:\(sipA)") })
            _ = try await phones.waitForLine("AGENT_CONFIRMED", timeout: .seconds(20))
            _ = try await phones.waitForLine("CALLER_HUNGUP", timeout: .seconds(20))
            _ = try await phones.waitForLine("DONE", timeout: .seconds(20))
            _ = try await nodeA.waitForLineContaining("CDRs shipped", timeout: .seconds(30))
            let cdrs = try await h.call(.get, "/v1/cdrs", token: key).items
            #expect(cdrs.count == 1)
            #expect(cdrs.first?["disposition"] as? String == "answered")
            #expect(cdrs.first?["nodeId"] as? String == nodeAID, "answered on the home node")
            let callerHeard = try WAVSamples.read(work.path + "/caller-heard.wav")
            #expect(abs(WAVSamples.frequency(Array(callerHeard.suffix(8000).prefix(4000))) - 1000) < 10)

            // Staff move the tenant to node B: B takes its configuration, A lets it go.
            let nodeBID = try #require(try await h.call(.get, "/v1/platform/nodes", token: staff).items.first { $0["name"] as? String == "node-b" }?["id"] as? String)
            let moved = try await h.call(.put, "/v1/platform/tenants/\(tenantID)/placement", token: staff, json: ["nodeId": nodeBID])
            #expect(moved.status == 200)
            _ = try await nodeB.waitForLineContaining("tenants=1", timeout: .seconds(30))
            _ = try await nodeA.waitForLineContaining("tenants=0", timeout: .seconds(30))
        }
    }
}
