import AsyncHTTPClient
import CallCenterModel
import ControlPlaneAPI
import ControlPlaneAPIClient
import Foundation
import OpenAPIRuntime

/// The demo tenant the run command seeds (once; the command keeps it in `<data-dir>/demo.json` so
/// the next start prints the same credentials): a number routed through a bilingual IVR menu to a
/// queue, and two agents whose SIP credentials are printed, so a person with any softphone can
/// register as an agent and call in. Created through the public API with the generated client,
/// exactly as a customer would.
package struct DemoTenant: Codable, Sendable {
    package var tenantID: String
    package var slug: String
    package var adminEmail: String
    package var adminPassword: String
    package var apiKey: String
    package var did: String
    package var sipDomain: String
    package var agents: [Agent]

    package struct Agent: Codable, Sendable {
        package var name: String
        package var username: String
        package var password: String
    }

    package static let slug = "demo"
    package static let adminEmail = "admin@demo.local"
    package static let queueName = "Support"
    package static let ivrAlias = "main"
    package static let agentNames = ["Li Na", "Wang Wei"]

    /// A step of the seeding that the API refused (or answered unexpectedly).
    package struct SeedError: Error, CustomStringConvertible {
        package var description: String

        package init(description: String) { self.description = description }

        /// `step` failed with `answer`, a generated operation output that is not the success case:
        /// the problem document inside it (every error response of the API carries one, whether the
        /// operation declares its status or it arrives as `default`) gives the status and detail.
        init(_ step: String, answer: some Sendable) {
            if let problem = Self.problem(in: answer) {
                let fields = (problem.errors ?? []).map { "\($0.field): \($0.message)" }
                description = "\(step) → \(problem.status): \(problem.detail)"
                    + (fields.isEmpty ? "" : " (\(fields.joined(separator: "; ")))")
            } else {
                description = "\(step) → unexpected answer \(answer)"
            }
        }

        /// Finds the RFC 9457 problem in any case of a generated output (`.conflict(...)`,
        /// `.default(statusCode:...)`, cases added to the spec later) without naming the cases.
        static func problem(in value: Any) -> Components.Schemas.Problem? {
            if let problem = value as? Components.Schemas.Problem { return problem }
            for child in Mirror(reflecting: value).children {
                if let problem = problem(in: child.value) { return problem }
            }
            return nil
        }
    }

    /// Signs the demo tenant up at `api` (the control plane's base URL), creates its queue, agents
    /// and IVR menu, and has platform staff (`staffEmail`) add a random +8610 number to the
    /// inventory, allocate it to the tenant, which routes it to the IVR alias `main`.
    package static func create(api: URL, staffEmail: String, staffPassword: String, adminPassword: String,
                               httpClient: HTTPClient = .shared) async throws -> DemoTenant {
        let connection = ControlPlaneConnection(serverURL: api, httpClient: httpClient, timeout: .seconds(30))
        let anonymous = connection.anonymousClient()

        let signedUp: Components.Schemas.SignupResponse
        switch try await anonymous.signup(body: .json(.init(
            tenantName: "Demo Contact Center", slug: slug, contactEmail: "ops@demo.local", timezone: "Asia/Shanghai",
            defaultLanguage: "zh-CN", adminEmail: adminEmail, adminPassword: adminPassword))) {
        case .created(let created): signedUp = try created.body.json
        case let answer: throw SeedError("sign-up of the demo tenant", answer: answer)
        }
        let tenant = signedUp.tenant
        let key = signedUp.apiKey.secret
        let admin = connection.client(credential: key)

        let queue = QueueConfiguration(strategy: .longestIdle, maxWaitSeconds: 600, wrapUpSeconds: 5,
                                       announcements: QueueAnnouncements(positionIntervalSeconds: 30, announceOnJoin: true))
        switch try await admin.createQueue(body: .json(.init(
            name: queueName, config: .init(additionalProperties: try OpenAPIObjectContainer(encoding: queue))))) {
        case .created: break
        case let answer: throw SeedError("creating the \(queueName) queue", answer: answer)
        }

        var agents: [Agent] = []
        for (i, name) in agentNames.enumerated() {
            let username = "agent\(i + 1)"
            switch try await admin.createAgent(body: .json(.init(name: name, _extension: "100\(i + 1)", sipUsername: username))) {
            case .created(let created):
                agents.append(Agent(name: name, username: username, password: try created.body.json.sipSecret))
            case let answer: throw SeedError("creating agent \(username)", answer: answer)
            }
        }

        // A short bilingual menu in front of the queue: Mandarin by default, 1 for English.
        let flow = try Components.Schemas.IvrFlowDefinition(additionalProperties: OpenAPIObjectContainer(encoding: menuFlow))
        let version: Int
        switch try await admin.createIvrFlowVersion(path: .init(flowName: ivrAlias), body: .json(flow)) {
        case .created(let created): version = try created.body.json.version
        case let answer: throw SeedError("storing the IVR flow", answer: answer)
        }
        switch try await admin.publishIvrAlias(path: .init(alias: ivrAlias), body: .json(.init(flowName: ivrAlias, version: version))) {
        case .ok: break
        case let answer: throw SeedError("publishing IVR alias \(ivrAlias)", answer: answer)
        }

        let staffToken: String
        switch try await anonymous.login(body: .json(.init(email: staffEmail, password: staffPassword))) {
        case .ok(let ok): staffToken = try ok.body.json.token
        case let answer: throw SeedError("staff login", answer: answer)
        }
        let staff = connection.client(credential: staffToken)
        let did = "+8610" + String((0..<8).map { _ in Character(String(Int.random(in: 0...9))) })
        let numberID: String
        switch try await staff.platformAddNumber(body: .json(.init(e164: did))) {
        case .created(let created): numberID = try created.body.json.id
        case let answer: throw SeedError("adding \(did) to the inventory", answer: answer)
        }
        switch try await staff.platformAllocateNumber(path: .init(numberId: numberID), body: .json(.init(tenantId: tenant.id))) {
        case .ok: break
        case let answer: throw SeedError("allocating \(did) to the demo tenant", answer: answer)
        }
        switch try await admin.setNumberRoute(path: .init(numberId: numberID), body: .json(.init(_type: .ivr, ivrAlias: ivrAlias))) {
        case .ok: break
        case let answer: throw SeedError("routing \(did) to IVR alias \(ivrAlias)", answer: answer)
        }
        return DemoTenant(tenantID: tenant.id, slug: tenant.slug, adminEmail: adminEmail, adminPassword: adminPassword, apiKey: key,
                          did: did, sipDomain: tenant.sipDomain, agents: agents)
    }

    /// The demo's IVR: a Mandarin welcome, "for English press 1", "中文服务请按二" (no key: Mandarin),
    /// a hold prompt in the chosen language, then the Support queue (announcements on joining).
    package static var menuFlow: IVRFlow {
        IVRFlow(name: "Demo main menu", start: "welcome", language: "zh-CN", nodes: [
            "welcome": .play(IVRPlayNode(prompt: .text("您好，欢迎致电演示呼叫中心。"), next: "english")),
            "english": .play(IVRPlayNode(prompt: IVRPrompt(text: "For English, press 1.", language: "en-US"), next: "menu")),
            "menu": .menu(IVRMenuNode(prompt: .text("中文服务，请按二。"), options: ["1": "en", "2": "zh"],
                                      timeoutSeconds: 5, maxAttempts: 2, onFailure: "zh")),
            "en": .language(IVRLanguageNode(language: "en-US", next: "hold_en")),
            "zh": .language(IVRLanguageNode(language: "zh-CN", next: "hold_zh")),
            "hold_en": .play(IVRPlayNode(prompt: .text("Thank you. Please hold for the next available agent."), next: "queue")),
            "hold_zh": .play(IVRPlayNode(prompt: .text("谢谢，正在为您转接客服，请稍候。"), next: "queue")),
            "queue": .enqueue(IVREnqueueNode(queue: queueName)),
        ])
    }
}

extension OpenAPIObjectContainer {
    /// The JSON object `value` encodes to, for the spec's free-form schemas (`QueueConfiguration`,
    /// `IvrFlowDefinition`) whose typed form is the shared model (`CallCenterModel`) — the same
    /// conversion the control plane's handlers make in the other direction.
    init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(Self.self, from: JSONEncoder().encode(value))
    }
}
