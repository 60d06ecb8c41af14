import ACD
import CallCenterModel
import Foundation
import IVREngine
import MediaEngine
import SDP
import SIPMessage
import SIPUserAgent

extension CallRuntime {
    /// A new INVITE: DID → tenant → route. Answers with our SDP and queues the call.
    package func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision {
        if draining { return .reject(status: 503, retryAfter: 30) } // RFC 3261 §21.5.4: try another node, or this one later
        let did = call.request.uri.sipURI?.user ?? ""
        guard let (tenant, route) = directory.route(forNumber: did) else {
            // Not a phone number at all (a scanner's "100", "admin", no user): no tenant anywhere
            // has it, so 404 at once — not a lookup, and not 503, which invites retries.
            guard Self.isDialableNumber(did) else { return .reject(status: 404) }
            // Not a tenant of this node: the control plane knows its home (placement), if any.
            switch await lookUpForeignNumber(did) {
            case .elsewhere(let address):
                guard let contact = Self.redirectContact(number: did, home: address) else {
                    logger.warning("home node address is not a SIP host", metadata: ["home": "\(address)"])
                    return .reject(status: 503, retryAfter: 10)
                }
                logger.info("call redirected to the tenant's home node", metadata: ["did": "\(did)", "contact": "\(contact)"])
                return .redirect(contact: contact)
            case .here:
                return .reject(status: 503, retryAfter: 2) // configuration still on its way
            case .unknown:
                return .reject(status: 503, retryAfter: 10)
            case .notInService:
                logger.info("no tenant for number", metadata: ["did": "\(did)", "sip.call_id": "\(call.id.callID)"])
                return .reject(status: 404)
            }
        }
        guard tenant.isActive else { return .reject(status: 403) }
        // The tenant's concurrent-call limit (staff-set, in the snapshot): busy, before any work.
        guard callsPerTenant[tenant.id, default: 0] < tenant.maxConcurrentCalls else {
            logger.notice("tenant at its concurrent-call limit", metadata: ["tenant": "\(tenant.id)", "limit": "\(tenant.maxConcurrentCalls)"])
            return .reject(status: 486)
        }
        callsPerTenant[tenant.id, default: 0] += 1
        var slotTaken = true
        defer { if slotTaken { releaseCallSlot(tenant.id) } }
        enum Entry { case queue(String), ivr(IVRFlow) }
        let entry: Entry
        switch route {
        case .queue(let id) where tenant.queue(id) != nil:
            entry = .queue(id)
        case .ivr(let alias):
            guard let flow = tenant.ivrFlows[alias] else {
                logger.warning("number routes to an IVR alias the snapshot lacks", metadata: ["did": "\(did)", "ivr.alias": "\(alias)"])
                return .reject(status: 480)
            }
            entry = .ivr(flow)
        default:
            return .reject(status: 404)
        }
        guard let offer, let sdp = try? SessionDescription(parsing: String(decoding: offer.bytes, as: UTF8.self)) else {
            return .reject(status: 488)
        }
        let leg: MediaLeg
        let answer: SessionDescription
        do {
            // RTP may be latched from the SDP address or where the INVITE came from (NAT), and
            // nothing is sent until the caller's RTP or ACK shows the caller is really there.
            let via = try? call.request.headers.topVia()
            (leg, answer) = try await media.answer(offer: sdp, signallingAddress: via.map { $0.received ?? $0.host },
                                                   holdMediaUntilConfirmed: true)
        } catch let error as MediaEngineError where error == .noPortAvailable {
            return .reject(status: 503, retryAfter: 5) // out of RTP ports: full for now
        } catch {
            return .reject(status: 488)
        }
        let caller = (try? call.request.headers.from().uri.sipURI?.user) ?? nil
        let session = CallSession(id: UUID().uuidString.lowercased(), tenantID: tenant.id, inbound: call, callerLeg: leg,
                                  caller: caller ?? "anonymous", did: did, language: tenant.defaultLanguage, startedAt: Date())
        calls[session.id] = session
        slotTaken = false  // the call holds it now; `finish` releases it
        callForDialog[call.id] = session.id
        let id = session.id
        await journal(id) // before the 200: a call the caller sees answered always gets a CDR
        spawn { await self.pumpCallerEvents(id, leg: leg) }
        switch entry {
        case .queue(let queue): spawn { await self.enqueue(id, queue: queue) }
        case .ivr(let flow): spawn { await self.runIVR(id, flow: flow) }
        }
        return .answer(SessionBody(sdp: answer.serialized), ringFirst: false)
    }

    /// Puts the caller in the queue with music on hold.
    func enqueue(_ id: String, queue: String, priority: Int = 0, requiredSkills: [SkillRequirement] = [],
                 attributes: [String: String] = [:], overflow: Bool = false) async {
        guard var s = calls[id], s.phase == .answering || s.phase == .ivr || (overflow && s.phase == .queued),
              engines[s.tenantID] != nil else {
            logger.debug("enqueue skipped", metadata: ["call.id": "\(id)", "known": "\(calls[id] != nil)"])
            return
        }
        let now = Date()
        s.phase = .queued
        s.queueID = queue
        if s.queuedAt == nil { s.queuedAt = now } // the wait runs from the first queue
        s.enqueuePriority = priority
        s.enqueueAttributes = attributes
        s.record("queued", queue, at: now)
        s.musicOnHold = configuration.musicOnHold
        calls[id] = s
        _ = await startPlayback(id, s.musicOnHold, loop: true)
        guard calls[id]?.phase == .queued, var engine = engines[s.tenantID] else { return } // left meanwhile
        let actions = engine.handle(.enqueue(ACDCallID(id), queue: ACDQueueID(queue), priority: priority,
                                             requiredSkills: requiredSkills, attributes: attributes), now: now)
        engines[s.tenantID] = engine
        perform(actions, tenant: s.tenantID)
        await journal(id)
    }
}

extension CallRuntime {
    /// A number a tenant could have: E.164 or national digits (6 to 15, RFC 3966 visual separators
    /// allowed), optionally with a leading +.
    static func isDialableNumber(_ user: String) -> Bool {
        var rest = Substring(user)
        if rest.hasPrefix("+") { rest = rest.dropFirst() }
        var digits = 0
        for c in rest.unicodeScalars {
            switch c {
            case "0"..."9": digits += 1
            case "-", ".", "(", ")": continue
            default: return false
            }
        }
        return (6...15).contains(digits)
    }

    func releaseCallSlot(_ tenant: String) {
        let left = callsPerTenant[tenant, default: 1] - 1
        callsPerTenant[tenant] = left > 0 ? left : nil
    }

    /// The 302 Contact for `number` at the home node `home` ("host[:port]" or "sip:host[:port]"):
    /// the number is the URI user, %-escaped as RFC 3261 §25.1 requires, so whatever the caller
    /// dialled (it arrives decoded) cannot end the header line.
    package static func redirectContact(number: String, home: String) -> String? {
        let host = home.hasPrefix("sip:") ? String(home.dropFirst(4)) : home
        guard case .sip(var uri)? = try? AnyURI.parse("sip:" + host), uri.user == nil else { return nil }
        uri.user = number
        return uri.description
    }

    /// Where a number this node does not serve is homed: a kept answer, or the control plane's.
    func lookUpForeignNumber(_ number: String) async -> NumberLookup {
        if let kept = routeCache.lookup(number, now: Date()) { return kept }
        let generation = routeCache.generation
        let result = await routeLookup(number)
        routeCache.store(number, result, asked: generation, now: Date())
        return result
    }
}
