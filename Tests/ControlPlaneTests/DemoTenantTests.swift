import CallCenterModel
import ControlPlaneAPI
import ControlPlaneAPIClient
import ControlPlaneDemo
import Foundation
import OpenAPIRuntime
import Testing

/// The `dev` command's demo tenant, seeded through the public API with the generated client (issue 13).
@Suite("Demo tenant seeding")
struct DemoTenantTests {
    @Test("the seeded tenant, queue, agents, number → IVR alias main and published flow are there, read back through the API",
          .tags(.system))
    func seedsThroughTheAPI() async throws {
        try await ControlPlaneHarness.run { h in
            let port = try #require(h.client.port)
            let api = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let demo = try await DemoTenant.create(api: api, staffEmail: ControlPlaneHarness.staffEmail,
                                                   staffPassword: ControlPlaneHarness.staffPassword,
                                                   adminPassword: "demo-admin-password-1")
            let connection = ControlPlaneConnection(serverURL: api)
            let client = connection.client(credential: demo.apiKey)

            let tenant = try await client.getTenant().ok.body.json
            #expect(tenant.id == demo.tenantID)
            #expect(tenant.slug == "demo")
            #expect(tenant.sipDomain == demo.sipDomain)
            #expect(tenant.defaultLanguage == "zh-CN")

            let queues = try await client.listQueues().ok.body.json.items
            #expect(queues.map(\.name) == ["Support"])
            let queue = try JSONDecoder().decode(QueueConfiguration.self,
                                                 from: JSONEncoder().encode(try #require(queues.first).config))
            #expect(queue.strategy == .longestIdle)
            #expect(queue.wrapUpSeconds == 5)
            #expect(queue.maxWaitSeconds == 600)
            #expect(queue.announcements.announceOnJoin)

            let agents = try await client.listAgents().ok.body.json.items
            #expect(Set(agents.map(\.sipUsername)) == ["agent1", "agent2"])
            #expect(Set(agents.map(\.name)) == ["Li Na", "Wang Wei"])
            #expect(demo.agents.map(\.username) == ["agent1", "agent2"])
            #expect(Set(demo.agents.map(\.password)).count == 2 && demo.agents.allSatisfy { !$0.password.isEmpty })

            let numbers = try await client.listNumbers().ok.body.json.items
            #expect(numbers.count == 1)
            let number = try #require(numbers.first)
            #expect(number.e164 == demo.did)
            #expect(number.tenantId == demo.tenantID)
            #expect(number.route._type == .ivr)
            #expect(number.route.ivrAlias == "main")

            let alias = try await client.getIvrAlias(path: .init(alias: "main")).ok.body.json
            #expect(alias.flowName == "main")
            let version = try await client.getIvrFlowVersion(path: .init(flowName: alias.flowName, version: alias.version)).ok.body.json
            let flow = try JSONDecoder().decode(IVRFlow.self, from: JSONEncoder().encode(version.definition))
            #expect(flow == DemoTenant.menuFlow)

            // The printed admin credentials work.
            let login = try await connection.anonymousClient()
                .login(body: .json(.init(tenant: "demo", email: demo.adminEmail, password: demo.adminPassword)))
            _ = try login.ok.body.json.token
        }
    }

    @Test("a refused step is a SeedError with the problem's status and detail", .tags(.system))
    func refusedStepCarriesTheProblem() async throws {
        try await ControlPlaneHarness.run { h in
            let port = try #require(h.client.port)
            let api = try #require(URL(string: "http://127.0.0.1:\(port)"))
            _ = try await h.signup("demo")
            let error = await #expect(throws: DemoTenant.SeedError.self) {
                try await DemoTenant.create(api: api, staffEmail: ControlPlaneHarness.staffEmail,
                                            staffPassword: ControlPlaneHarness.staffPassword, adminPassword: "demo-admin-password-1")
            }
            let description = try #require(error?.description)
            #expect(description.hasPrefix("sign-up of the demo tenant → 409: "), "\(description)")
            #expect(description.contains("demo"), "the detail names the slug: \(description)")
        }
    }

    @Test("the demo menu is a valid flow that ends in the demo queue")
    func menuIsValid() {
        #expect(IVRFlowValidator.validate(DemoTenant.menuFlow, knownQueues: [DemoTenant.queueName]).isEmpty)
    }
}
