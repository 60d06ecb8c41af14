import AsyncHTTPClient
import ControlPlanePostgres
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import NIOCore
import NodeTestSupport
import Testing
import TestSupport

/// The SIPp scenario set of `infra/sipp/` against the real processes: `control-plane serve` on
/// PostgreSQL, the `media-node` executable, 50 agents' phones (registered with digest by PJSIP,
/// answered by SIPp) and SIPp callers that press 1 in the IVR, wait in the queue and talk to an agent.
///
/// 1. 350 calls at 5 calls/s, 50 at a time; the control plane is stopped for a minute meanwhile
///    (the node serves from its saved configuration and spools CDRs). Zero failed calls.
/// 2. 40 calls are up when the node is killed with SIGKILL; it restarts on the same data, the
///    phones register again, and 100 more calls run with zero failures.
/// Every call SIPp saw answered has exactly one CDR in the API: `answered` with the menu key,
/// or `node_failure` for the 40 the node died with. A WebSocket desktop (reconnecting while the
/// control plane is away) measures screen-pop latency: `call.offered` at the desktop against the
/// agent phone's receipt of the INVITE, per caller.
@Suite("Load: SIPp through IVR and queue, control plane down, node killed", .serialized)
struct NodeLoadTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let staffEmail = "staff@platform.test", staffPassword = "staff-password-1"
    static let bootstrapToken = "load-test-bootstrap-token-0123456789"
    static let agents = 50

    struct API {
        let base: String
        func call(_ method: String, _ path: String, token: String? = nil, json: Any? = nil) async throws -> (Int, [String: Any]) {
            var request = HTTPClientRequest(url: base + path)
            request.method = .init(rawValue: method)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:])
        }

        func ok(_ method: String, _ path: String, token: String? = nil, json: Any? = nil) async throws -> [String: Any] {
            let (status, object) = try await call(method, path, token: token, json: json)
            guard (200..<300).contains(status) else { throw HarnessError("\(method) \(path) → \(status): \(object)") }
            return object
        }

        /// Every CDR, following the cursor.
        func cdrs(token: String) async throws -> [[String: Any]] {
            var all: [[String: Any]] = []
            var cursor: String?
            repeat {
                let page = try await ok("GET", "/v1/cdrs?limit=200" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
                all += page["items"] as? [[String: Any]] ?? []
                cursor = page["nextCursor"] as? String
            } while cursor != nil
            return all
        }
    }

    static func startControlPlane(databaseURL: String, port: Int) throws -> LineProcess {
        try LineProcess("env", [
            "DATABASE_URL=\(databaseURL)", "CC_PORT=\(port)", "CC_NODE_BOOTSTRAP_TOKEN=\(bootstrapToken)",
            "CC_BOOTSTRAP_STAFF_EMAIL=\(staffEmail)", "CC_BOOTSTRAP_STAFF_PASSWORD=\(staffPassword)", "CC_BCRYPT_COST=4",
            "LOG_LEVEL=info", try controlPlaneExecutable(), "serve",
        ])
    }

    static func startNode(controlPlanePort: Int, sipPort: Int, dataDirectory: String) throws -> LineProcess {
        try launchMediaNode(controlPlaneURL: "http://127.0.0.1:\(controlPlanePort)", bootstrapToken: bootstrapToken, sipPort: sipPort,
                            rtpPorts: "34000-34999", dataDirectory: dataDirectory, name: "load-node")
    }

    /// SIPp in `directory` (where `pcap/` links to sip-tester's captures), output to a file there.
    static func sipp(_ directory: String, _ arguments: [String]) throws -> LineProcess {
        let sipp = ["sipp"] + arguments.map { "'\($0)'" }
        return try LineProcess("sh", ["-c", "cd '\(directory)' && exec " + sipp.joined(separator: " ")])
    }

    /// Call-IDs SIPp logged as answered by the node.
    static func answered(_ logFile: String) throws -> [String] {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let r = line.range(of: "ANSWERED ") else { return nil }
            return String(line[r.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test("50 concurrent calls through IVR and queue with zero failures; CP down a minute and a SIGKILL lose no CDR and double none",
          .timeLimit(.minutes(10)))
    func loadOutagesExactlyOnce() async throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/sip-tester/dtmf_2833_1.pcap") else {
            Issue.record("sip-tester (SIPp) with its pcap files is needed (infra/deps/apt.txt)")
            return
        }
        let work = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: work.path + "/pcap", withDestinationPath: "/usr/share/sip-tester")
        let databaseURL = try await TestPostgres.shared.databaseURL(template: "controlplane") { connection, logger in
            try await Migrator.bundled().migrate(connection, logger: logger)
        }
        let cpPort = freeTCPPort()
        let api = API(base: "http://127.0.0.1:\(cpPort)")
        var controlPlane = try Self.startControlPlane(databaseURL: databaseURL, port: cpPort)
        defer { controlPlane.terminate() }
        _ = try await controlPlane.waitForLineContaining("listening", timeout: .seconds(60))

        // The tenant, through the API: queue, 50 agents, a number → bilingual IVR → queue.
        let signup = try await api.ok("POST", "/v1/signup", json: [
            "tenantName": "Load", "slug": "load", "contactEmail": "ops@load.test", "timezone": "Asia/Shanghai",
            "defaultLanguage": "zh-CN", "adminEmail": "admin@load.test", "adminPassword": "correct-horse-battery",
        ])
        let key = try #require((signup["apiKey"] as? [String: Any])?["secret"] as? String)
        let tenantID = try #require((signup["tenant"] as? [String: Any])?["id"] as? String)
        _ = try await api.ok("PATCH", "/v1/tenant", token: key, json: ["allowMD5Digest": true]) // SIPp digest is MD5
        _ = try await api.ok("POST", "/v1/queues", token: key, json: ["name": "Support", "config": ["strategy": "longest_idle", "wrapUpSeconds": 0]])
        var csv = "SEQUENTIAL\n"
        var lines: [String] = []
        var domain = ""
        for i in 1...Self.agents {
            let agent = try await api.ok("POST", "/v1/agents", token: key, json: [
                "name": "Agent \(i)", "extension": String(2000 + i), "sipUsername": String(format: "a%02d", i),
            ])
            domain = try #require(agent["sipDomain"] as? String)
            lines.append(String(format: "a%02d", i) + ";\(domain);\(try #require(agent["sipSecret"] as? String))")
        }
        csv += lines.joined(separator: "\n") + "\n"
        try csv.write(toFile: work.path + "/agents.csv", atomically: true, encoding: .utf8)
        // pjsua takes at most 7 accounts per process: the phones register from 8 processes.
        let groups = stride(from: 0, to: lines.count, by: 7).map { Array(lines[$0..<min($0 + 7, lines.count)]) }
        for (g, group) in groups.enumerated() {
            try (group.joined(separator: "\n") + "\n").write(toFile: work.path + "/agents-\(g).csv", atomically: true, encoding: .utf8)
        }
        let staff = try #require(try await api.ok("POST", "/v1/auth/login", json: ["email": Self.staffEmail, "password": Self.staffPassword])["token"] as? String)
        let did = "+861088880000"
        let number = try await api.ok("POST", "/v1/platform/numbers", token: staff, json: ["e164": did])
        let numberID = try #require(number["id"] as? String)
        _ = try await api.ok("PUT", "/v1/platform/numbers/\(numberID)/allocation", token: staff, json: ["tenantId": tenantID])
        _ = try await api.ok("POST", "/v1/ivr/flows/main/versions", token: key, json: SystemCallTests.menu)
        _ = try await api.ok("PUT", "/v1/ivr/aliases/main", token: key, json: ["flowName": "main", "version": 1])
        _ = try await api.ok("PUT", "/v1/numbers/\(numberID)", token: key, json: ["type": "ivr", "ivrAlias": "main"])

        // The node, the agents' phones (one SIPp answering for all 50), their registrations.
        let sipPort = freeUDPPort(), agentPort = freeUDPPort()
        var node = try Self.startNode(controlPlanePort: cpPort, sipPort: sipPort, dataDirectory: work.path + "/node")
        defer { node.terminate() }
        _ = try await node.waitForLineContaining("tenants=1", timeout: .seconds(60))
        let phones = try Self.sipp(work.path, [
            "-sf", Self.repositoryRoot.appendingPathComponent("infra/sipp/agent_answer.xml").path,
            "-i", "127.0.0.1", "-p", "\(agentPort)", "-mi", "127.0.0.1", "-mp", "\(freeUDPPort() & ~1)",
            "-nostdin", "-trace_err", "-error_file", work.path + "/agents-errors.log",
            "-trace_logs", "-log_file", work.path + "/agents-offers.log",
        ])
        defer { phones.terminate() }
        let registrars = try groups.indices.map { g in
            try LineProcess("python3", [
                Self.repositoryRoot.appendingPathComponent("infra/sipp/register_agents.py").path,
                "\(sipPort)", work.path + "/agents-\(g).csv", "\(agentPort)",
            ])
        }
        defer { for r in registrars { r.terminate() } }
        var registrations = 0
        func register() async throws {
            if registrations > 0 { for r in registrars { r.send("REGISTER") } }
            registrations += 1
            for r in registrars { try await r.waitForLines(containing: "REGISTERED", count: registrations, timeout: .seconds(60)) }
            _ = try await node.waitForLineContaining("logged_in=\(Self.agents)", timeout: .seconds(30))
        }
        try await register()

        // The agent desktop: call.offered per caller number, as it arrives.
        let offered = Mutex<[String: Double]>([:])
        var wsLogger = Logger(label: "desktop")
        wsLogger.logLevel = .critical
        let desktopLogger = wsLogger
        let desktop = Task {
            while !Task.isCancelled {
                _ = try? await WebSocketClient.connect(url: "ws://127.0.0.1:\(cpPort)/v1/events", configuration: .bearer(key), logger: desktopLogger) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        let at = Date().timeIntervalSince1970
                        guard case .text(let text) = message,
                              let event = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                              event["type"] as? String == "call.offered",
                              let caller = (event["data"] as? [String: Any])?["caller"] as? String else { continue }
                        offered.withLock { if $0[caller] == nil { $0[caller] = at } }
                    }
                }
                try? await Task.sleep(for: .milliseconds(500)) // the control plane is away: connect again
            }
        }
        defer { desktop.cancel() }

        func callers(_ name: String, calls: Int, rate: Int) throws -> LineProcess {
            try Self.sipp(work.path, [
                "127.0.0.1:\(sipPort)", "-sf", Self.repositoryRoot.appendingPathComponent("infra/sipp/caller_ivr_queue.xml").path,
                "-s", did, "-key", "caller_prefix", "+8613\(["a": 1, "b": 2, "c": 3][name] ?? 9)", "-i", "127.0.0.1", "-p", "\(freeUDPPort())", "-mi", "127.0.0.1", "-mp", "\(freeUDPPort() & ~1)",
                "-l", "50", "-r", "\(rate)", "-m", "\(calls)", "-d", "9000", "-nostdin", "-timeout", "400s",
                "-trace_logs", "-log_file", work.path + "/\(name)-answered.log",
                "-trace_err", "-error_file", work.path + "/\(name)-errors.log",
                "-trace_stat", "-stf", work.path + "/\(name)-stats.csv",
            ])
        }

        // 1. Load, with the control plane down for a minute once CDRs flow.
        let started = Date()
        let runA = try callers("a", calls: 350, rate: 5)
        _ = try await node.waitForLineContaining("CDRs shipped", timeout: .seconds(60))
        controlPlane.signal(SIGTERM)
        _ = await controlPlane.exitStatus()
        let down = Date()
        try await Task.sleep(for: .seconds(60)) // the outage itself: a minute without the control plane
        controlPlane = try Self.startControlPlane(databaseURL: databaseURL, port: cpPort)
        _ = try await controlPlane.waitForLineContaining("listening", timeout: .seconds(60))
        let up = Date()
        let statusA = await runA.exitStatus()
        #expect(statusA == 0, "SIPp run 1 had failed calls; see \(work.path)")
        let answeredA = try Self.answered(work.path + "/a-answered.log")
        #expect(answeredA.count == 350)

        // 2. SIGKILL with 40 calls up; restart; phones register again; 100 more calls.
        let runB = try callers("b", calls: 40, rate: 20)
        try await waitForAnswered(work.path + "/b-answered.log", count: 40, process: node)
        node.signal(SIGKILL)
        _ = await node.exitStatus()
        let killedNode = node
        node = try Self.startNode(controlPlanePort: cpPort, sipPort: sipPort, dataDirectory: work.path + "/node")
        let recovered = try await node.waitForLineContaining("recovered as node_failure CDRs", timeout: .seconds(60))
        #expect(recovered.contains("count=40"), "\(recovered)")
        _ = try await node.waitForLineContaining("tenants=1", timeout: .seconds(60))
        try await register()
        _ = await runB.exitStatus() // its calls fail: the node that answered them is gone
        let answeredB = try Self.answered(work.path + "/b-answered.log")
        #expect(answeredB.count == 40)
        let runC = try callers("c", calls: 100, rate: 10)
        #expect(await runC.exitStatus() == 0, "SIPp run 3 had failed calls; see \(work.path)")
        let answeredC = try Self.answered(work.path + "/c-answered.log")
        #expect(answeredC.count == 100)

        // Every answered call has exactly one CDR; the node ships what it spooled while the CP was away.
        let expected = answeredA + answeredB + answeredC
        var cdrs: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(90)
        repeat {
            // Count the shipments before reading, so one that lands meanwhile is not waited for in vain.
            let shipped = node.lines.filter { $0.contains("CDRs shipped") }.count
            cdrs = try await api.cdrs(token: key)
            if cdrs.count >= expected.count { break }
            guard (try? await node.waitForLines(containing: "CDRs shipped", count: shipped + 1, timeout: .seconds(20))) != nil else { break }
        } while Date() < deadline
        let byCallID = Dictionary(grouping: cdrs, by: { $0["callId"] as? String ?? "" })
        #expect(cdrs.count == expected.count, "CDRs \(cdrs.count), answered calls \(expected.count)")
        #expect(Set(expected).count == expected.count)
        for id in expected { #expect(byCallID[id]?.count == 1, "call \(id): \(byCallID[id]?.count ?? 0) CDRs") }
        if cdrs.count != expected.count {
            // What the node said about it, and what is left in its spool.
            let missing = Set(expected).subtracting(byCallID.keys)
            let spool = work.path + "/node/cdr-spool"
            let left = ["pending", "rejected", "live"].map { dir in
                "\(dir): \((try? FileManager.default.contentsOfDirectory(atPath: spool + "/" + dir))?.count ?? -1)"
            }
            let problems = (killedNode.lines + node.lines).filter { $0.contains(" error ") || $0.contains(" critical ") || $0.contains("rejected=") && !$0.contains("rejected=0") }
            Issue.record("missing \(missing.sorted()); spool \(left); node problems: \(problems.suffix(20))")
        }
        let dispositions = Dictionary(grouping: cdrs, by: { $0["disposition"] as? String ?? "?" }).mapValues(\.count)
        #expect(dispositions == ["answered": 450, "node_failure": 40], "\(dispositions)")
        for id in answeredB { #expect(byCallID[id]?.first?["disposition"] as? String == "node_failure") }
        let menuKeys = cdrs.filter { $0["disposition"] as? String == "answered" }.map { ($0["ivrInputs"] as? [String: String])?["menu"] }
        #expect(menuKeys.allSatisfy { $0 == "1" }, "every caller's RFC 4733 '1' reached the menu")
        let duringOutage = cdrs.filter { cdr in
            guard let s = (cdr["endedAt"] as? String).flatMap({ try? Date($0, strategy: .iso8601) }) else { return false }
            return s > down && s < up
        }.count
        // Screen pop: desktop's call.offered minus the phone's INVITE receipt, for every caller both saw.
        let rung = Self.offers(work.path + "/agents-offers.log")
        // Only offers made while the control plane was up (and 10 s after it came back, while the node
        // flushes the events it kept): during the outage events wait, which is not screen-pop latency.
        // An event whose way from phone ring to desktop overlaps the outage (or the 10 s after it) waited
        // for the control plane: only the others measure screen pop.
        let outageStart = down.timeIntervalSince1970, outageEnd = up.timeIntervalSince1970 + 10
        let popMs = offered.withLock { seen in
            seen.compactMap { caller, at in
                rung[caller].flatMap { ring in (at < outageStart || ring > outageEnd) ? (at - ring) * 1000 : nil }
            }
        }.sorted()
        #expect(popMs.count >= 100, "screen-pop samples: \(popMs.count)")
        func percentile(_ p: Double) -> Double { popMs.isEmpty ? .nan : popMs[min(popMs.count - 1, Int(Double(popMs.count) * p))] }
        #expect(percentile(0.99) < 1000, "screen-pop p99 \(percentile(0.99)) ms")
        print(String(format: "screen-pop over %d calls: p50 %.1f ms, p99 %.1f ms, max %.1f ms (negative: the event beat the phone's ring)",
                     popMs.count, percentile(0.5), percentile(0.99), popMs.last ?? .nan))
        print("load: \(expected.count) answered calls, \(cdrs.count) CDRs (\(dispositions)); \(duringOutage) calls ended while the control plane was down (\(Int(up.timeIntervalSince(down))) s); whole run \(Int(Date().timeIntervalSince(started))) s")
    }

    /// Caller number → when the first agent phone received the INVITE (unix seconds), from agent_answer.xml's log.
    static func offers(_ logFile: String) -> [String: Double] {
        var first: [String: Double] = [:]
        for line in ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").split(separator: "\n") where line.hasPrefix("OFFER ") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 5, let at = Double(fields[3]) else { continue }
            let caller = String(fields[4])
            if first[caller] == nil { first[caller] = at }
        }
        return first
    }

    /// Waits (on SIPp's log file) until `count` calls were answered. SIPp offers no signal: its
    /// `-log_file /dev/stdout` output arrives only when it exits, so the file is read every 100 ms
    /// (a condition with a 60 s limit, not a sleep that orders events).
    func waitForAnswered(_ logFile: String, count: Int, process: LineProcess) async throws {
        let deadline = Date().addingTimeInterval(60)
        while (try Self.answered(logFile)).count < count {
            guard Date() < deadline else { throw HarnessError("fewer than \(count) calls answered in \(logFile)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
