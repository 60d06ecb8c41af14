import Foundation
import PostgresNIO
import Testing

@Suite("Tenant configuration: agents, skills, groups, queues, numbers")
struct ConfigurationTests {
    @Test("agents get a one-time SIP secret stored only as MD5 and SHA-256 HA1")
    func agentSecrets() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            let created = try await h.call(.post, "/v1/agents", token: key, json: ["name": "Li Na", "extension": "1001", "sipUsername": "lina"])
            #expect(created.status == 201)
            let secret = try #require(created["sipSecret"] as? String)
            #expect(created["sipDomain"] as? String == "acme.sip.localhost")
            let agentID = try #require(created.string("agent", "id"))
            let fetched = try await h.call(.get, "/v1/agents/\(agentID)", token: key)
            #expect(fetched["sipSecret"] == nil)

            let expectedMD5 = try shell("printf '%s' 'lina:acme.sip.localhost:\(secret)' | md5sum | cut -d' ' -f1")
            let expectedSHA = try shell("printf '%s' 'lina:acme.sip.localhost:\(secret)' | sha256sum | cut -d' ' -f1")
            let rows = try await h.admin.query("SELECT ha1_md5, ha1_sha256 FROM agents WHERE id = \(UUID(uuidString: agentID)!)")
            var seen = 0
            for try await (md5, sha) in rows.decode((String, String).self) {
                #expect(md5 == expectedMD5)
                #expect(sha == expectedSHA)
                seen += 1
            }
            #expect(seen == 1)

            let rotated = try await h.call(.post, "/v1/agents/\(agentID)/sip-secret", token: key)
            #expect(rotated.status == 200)
            #expect(rotated["sipSecret"] as? String != secret)

            let duplicate = try await h.call(.post, "/v1/agents", token: key, json: ["name": "X", "extension": "1001", "sipUsername": "x"])
            #expect(duplicate.status == 409)
            #expect((duplicate["detail"] as? String)?.contains("1001") == true)
            let invalid = try await h.call(.post, "/v1/agents", token: key, json: ["name": "X", "extension": "1a", "sipUsername": "bad user"])
            #expect(invalid.status == 422)
            let fields = Set((invalid["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["extension", "sipUsername"])
        }
    }

    @Test("skills with levels 1–10 on agents, groups of agents, cursor pagination")
    func skillsGroupsPaging() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            var skillIDs: [String] = []
            for name in ["billing", "mandarin", "english", "vip", "tech"] {
                let reply = try await h.call(.post, "/v1/skills", token: key, json: ["name": name])
                #expect(reply.status == 201)
                skillIDs.append(try #require(reply["id"] as? String))
            }
            #expect(try await h.call(.post, "/v1/skills", token: key, json: ["name": "Bad Name"]).status == 422)

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let path = "/v1/skills?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await h.call(.get, path, token: key)
                #expect(page.status == 200)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(seen == skillIDs)
            #expect(try await h.call(.get, "/v1/skills?cursor=garbage", token: key).status == 400)
            #expect(try await h.call(.get, "/v1/skills?limit=0", token: key).status == 422)  // minimum: 1 in openapi.yaml

            let agent = try await h.call(.post, "/v1/agents", token: key, json: ["name": "A", "extension": "101", "sipUsername": "a"])
            let agentID = try #require(agent.string("agent", "id"))
            let skilled = try await h.call(.put, "/v1/agents/\(agentID)/skills", token: key,
                                           json: [["skillId": skillIDs[0], "level": 7], ["skillId": skillIDs[1], "level": 10]])
            #expect(skilled.status == 200)
            #expect((skilled["skills"] as? [[String: Any]])?.count == 2)
            let badLevel = try await h.call(.put, "/v1/agents/\(agentID)/skills", token: key, json: [["skillId": skillIDs[0], "level": 11]])
            #expect(badLevel.status == 422 || badLevel.status == 400)

            let group = try await h.call(.post, "/v1/agent-groups", token: key, json: ["name": "tier1", "agentIds": [agentID]])
            #expect(group.status == 201)
            #expect(group["agentIds"] as? [String] == [agentID])
            let groupID = try #require(group["id"] as? String)
            let unknown = try await h.call(.put, "/v1/agent-groups/\(groupID)", token: key, json: ["name": "tier1", "agentIds": [UUID().uuidString]])
            #expect(unknown.status == 422)
            // Deleting a skill removes it from agents.
            #expect(try await h.call(.delete, "/v1/skills/\(skillIDs[0])", token: key).status == 204)
            let after = try await h.call(.get, "/v1/agents/\(agentID)", token: key)
            #expect((after["skills"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("queues are validated by the shared QueueConfiguration with field paths")
    func queues() async throws {
        try await ControlPlaneHarness.run { h in
            let (_, key, _) = try await h.signup("acme")
            _ = try await h.call(.post, "/v1/skills", token: key, json: ["name": "billing"])
            let config: [String: Any] = [
                "strategy": "skills_based", "requiredSkills": [["skill": "billing", "minLevel": 3]],
                "maxWaitSeconds": 300, "maxLength": 50, "wrapUpSeconds": 15, "serviceLevelSeconds": 20,
                "overflow": ["type": "hangup"],
            ]
            let created = try await h.call(.post, "/v1/queues", token: key, json: ["name": "Billing", "config": config])
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let queueID = try #require(created["id"] as? String)
            let stored = try #require(created["config"] as? [String: Any])
            #expect(stored["strategy"] as? String == "skills_based")
            #expect(stored["wrapUpSeconds"] as? Int == 15)

            let unknownSkill = try await h.call(.post, "/v1/queues", token: key, json: [
                "name": "Other", "config": ["strategy": "longest_idle", "requiredSkills": [["skill": "nope", "minLevel": 1]]]])
            #expect(unknownSkill.status == 422)
            let badStrategy = try await h.call(.post, "/v1/queues", token: key, json: ["name": "Other", "config": ["strategy": "whoever"]])
            #expect(badStrategy.status == 422)
            let field = (badStrategy["errors"] as? [[String: Any]])?.first?["field"] as? String
            #expect(field?.hasPrefix("config") == true)

            let replaced = try await h.call(.put, "/v1/queues/\(queueID)", token: key, json: ["name": "Billing", "config": ["strategy": "round_robin"]])
            #expect(replaced.status == 200)
            #expect((replaced["config"] as? [String: Any])?["strategy"] as? String == "round_robin")
        }
    }

    @Test("number inventory: staff adds and allocates E.164 numbers; tenants route them to queues")
    func numbers() async throws {
        try await ControlPlaneHarness.run { h in
            let (tenantID, key, _) = try await h.signup("acme")
            let staff = try await h.staffToken()
            #expect(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": "010-1234"]).status == 422)
            let added = try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": "+861012345678"])
            #expect(added.status == 201)
            let numberID = try #require(added["id"] as? String)
            #expect(try await h.call(.post, "/v1/platform/numbers", token: staff, json: ["e164": "+861012345678"]).status == 409)
            #expect(try await h.call(.get, "/v1/numbers", token: key).items.isEmpty)

            let allocated = try await h.call(.put, "/v1/platform/numbers/\(numberID)/allocation", token: staff, json: ["tenantId": tenantID])
            #expect(allocated.status == 200)
            #expect(try await h.call(.get, "/v1/numbers", token: key).items.count == 1)

            let queue = try await h.call(.post, "/v1/queues", token: key, json: ["name": "Sales", "config": [String: Any]()])
            let queueID = try #require(queue["id"] as? String)
            let routed = try await h.call(.put, "/v1/numbers/\(numberID)", token: key, json: ["type": "queue", "queueId": queueID])
            #expect(routed.status == 200)
            #expect(routed.string("route", "queueId") == queueID)
            let ivr = try await h.call(.put, "/v1/numbers/\(numberID)", token: key, json: ["type": "ivr", "ivrAlias": "main"])
            #expect(ivr.string("route", "type") == "ivr")
            #expect(try await h.call(.put, "/v1/numbers/\(numberID)", token: key, json: ["type": "queue"]).status == 422)

            let released = try await h.call(.delete, "/v1/platform/numbers/\(numberID)/allocation", token: staff)
            #expect(released.status == 200)
            #expect(try await h.call(.get, "/v1/numbers", token: key).items.isEmpty)
        }
    }
}

func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
