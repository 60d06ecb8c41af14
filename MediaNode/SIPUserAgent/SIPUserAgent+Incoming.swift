import SIPAuth
import SIPDialog
import SIPMessage
import SIPTransaction
import SIPTransport

extension SIPUserAgent {
    /// Methods we implement, advertised in Allow (RFC 3261 §20.5).
    static let allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER, NOTIFY, REGISTER"
    /// Option tags we support (RFC 3261 §8.2.2.3).
    static let supportedTags: Set<String> = ["timer", "norefersub"]

    func respond(_ key: TransactionKey, _ request: SIPRequest, _ status: Int, reason: String? = nil, toTag: String? = nil,
                 headers: [SIPHeaderField] = [], body: SessionBody? = nil) {
        var r = SIPResponse(answering: request, statusCode: status, reasonPhrase: reason,
                            toTag: toTag ?? (status == 100 ? nil : TransactionLayer.tag(for: key)))
        r.headers.add(.server, configuration.productName)
        for h in headers { r.headers.add(h.name, h.value) }
        if let body, !body.bytes.isEmpty {
            r.headers.add(.contentType, body.contentType)
            r.body = body.bytes
        }
        perform(layer.respond(r, to: key), source: nil)
    }

    func receiveRequest(_ request: SIPRequest, key: TransactionKey, source: SIPEndpoint) {
        // Decoded users and display names end up in headers we write (an agent's INVITE, a 302
        // Contact): a control character in them is refused before anything reads them.
        if request.method != .ack, let reason = request.identityControlCharacterFault {
            respond(key, request, 400, reason: reason)
            return
        }
        // RFC 3261 §8.2.2.1: unknown URI schemes get 416.
        switch request.uri {
        case .sip, .tel: break
        case .absolute:
            respond(key, request, 416)
            return
        }
        // §8.2.2.3: Require with option tags we do not support → 420 listing them.
        if request.method != .ack, request.method != .cancel {
            let unsupported = request.headers.optionTags(.require).filter { !Self.supportedTags.contains($0) }
            if !unsupported.isEmpty {
                respond(key, request, 420, headers: [SIPHeaderField(name: .unsupported, value: unsupported.joined(separator: ", "))])
                return
            }
        }
        // §8.2.3: a body we cannot read, or an answer the caller cannot read, is refused before
        // any routing or media work (INVITE and UPDATE carry the sessions we serve).
        if request.method == .invite || request.method == .update, let refusal = Self.contentRefusal(request) {
            respond(key, request, refusal.status, headers: refusal.headers)
            return
        }
        let toTag = (try? request.headers.to().tag) ?? nil
        if toTag != nil {
            receiveInDialog(request, key: key, source: source)
            return
        }
        switch request.method {
        case .options:
            // RFC 3261 §11.2: the status an INVITE would get now (503 + Retry-After while draining).
            if let retry = unavailableRetryAfter { respond(key, request, 503, headers: [SIPHeaderField(name: .retryAfter, value: "\(retry)")]) }
            else { respond(key, request, 200, headers: capabilityHeaders()) }
        case .invite:
            receiveInitialInvite(request, key: key, source: source)
        case .register:
            receiveRegister(request, key: key, source: source)
        case .bye, .info, .update, .refer, .notify, .prack:
            respond(key, request, 481)
        case .message, .subscribe, .publish:
            // Known methods this element does not serve (RFC 3261 §8.2.1).
            respond(key, request, 405, headers: [SIPHeaderField(name: .allow, value: Self.allowed)])
        default:
            // §8.2.1, §21.5.2: a method we do not know (any token is legal) is 501, never 400.
            respond(key, request, 501, headers: [SIPHeaderField(name: .allow, value: Self.allowed)])
        }
    }

    /// 415 for a body other than SDP or an encoding other than identity (with Accept or
    /// Accept-Encoding, RFC 3261 §8.2.3), 406 when Accept excludes SDP, the only answer we give
    /// (§20.1: no Accept means application/sdp; an empty one accepts nothing). Nil: acceptable.
    static func contentRefusal(_ request: SIPRequest) -> (status: Int, headers: [SIPHeaderField])? {
        if !request.body.isEmpty {
            if let type = request.headers.contentType, type != "application/sdp" { // none: SDP is assumed
                return (415, [SIPHeaderField(name: .accept, value: "application/sdp")])
            }
            let encodings = request.headers.listValues(.contentEncoding).map { $0.lowercased() }
            if encodings.contains(where: { $0 != "identity" && !$0.isEmpty }) {
                return (415, [SIPHeaderField(name: SIPHeaderName("Accept-Encoding"), value: "identity")])
            }
        }
        if request.headers.contains(.accept) {
            let acceptable = request.headers.listValues(.accept).contains { range in
                let parts = range.split(separator: ";").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
                guard let type = parts.first, ["application/sdp", "application/*", "*/*"].contains(type) else { return false }
                // q=0 means "not acceptable" (RFC 3261 §20.1, RFC 2616 §14.1).
                return !parts.dropFirst().contains { $0.hasPrefix("q=") && Double($0.dropFirst(2)) == 0 }
            }
            if !acceptable { return (406, [SIPHeaderField(name: .accept, value: "application/sdp")]) }
        }
        return nil
    }
}

extension SIPUserAgent {
    func capabilityHeaders() -> [SIPHeaderField] {
        [
            SIPHeaderField(name: .allow, value: Self.allowed),
            SIPHeaderField(name: .accept, value: "application/sdp, message/sipfrag"),
            SIPHeaderField(name: .supported, value: Self.supportedTags.sorted().joined(separator: ", ")),
        ]
    }

    func contactHeader(for transport: SIPTransportProtocol) -> NameAddress {
        let local = self.transport!.localEndpoint(transport)
        var uri = SIPURI(host: Self.hostString(local.address.ipAddress ?? "127.0.0.1"), port: local.address.port)
        if transport == .tcp { uri.parameters.append(SIPParameter("transport", "tcp")) }
        return NameAddress(uri: uri)
    }

    static func hostString(_ ip: String) -> String { ip.contains(":") ? "[\(ip)]" : ip }

    // MARK: INVITE

    func receiveInitialInvite(_ request: SIPRequest, key: TransactionKey, source: SIPEndpoint) {
        var session: SessionTimer?
        switch SessionTimer.negotiateAsServer(request, defaultInterval: configuration.defaultSessionInterval) {
        case .tooSmall(let minSE):
            respond(key, request, 422, headers: [SIPHeaderField(name: .minSE, value: "\(minSE)")])
            return
        case .active(let s): session = s
        case .none: break
        }
        let localTag = TransactionLayer.tag(for: key)
        guard let dialog = try? Dialog.server(request: request, localTag: localTag) else {
            respond(key, request, 400)
            return
        }
        // Dialogs nobody has confirmed yet cost us state and may come from a forged source:
        // bounded per source, refused before the application does any work (RFC 3261 §21.5.4).
        let sourceIP = source.address.ipAddress ?? "?"
        guard sourceGuard.openDialog(sourceIP).isAccepted else {
            respond(key, request, 503, headers: [SIPHeaderField(name: .retryAfter, value: "5")])
            return
        }
        let call = SIPCall(id: dialog.id, request: request, isIncoming: true, userAgent: self)
        var state = CallState(dialog: dialog, call: call, peer: source)
        state.unconfirmedFrom = sourceIP
        state.inviteKey = key
        state.session = session
        calls[dialog.id] = state
        pendingInvites[key] = call
        let offer = request.body.isEmpty ? nil : SessionBody(contentType: request.headers.contentType ?? "application/sdp", bytes: request.body)
        let delegate = self.delegate
        spawn {
            let decision = await delegate.incomingCall(call, offer: offer)
            await self.answerInitialInvite(call, key: key, decision: decision)
        }
    }

    func answerInitialInvite(_ call: SIPCall, key: TransactionKey, decision: SIPCallDecision) {
        do {
            guard pendingInvites[key] != nil, var state = calls[call.id] else { return } // CANCELled meanwhile
            switch decision {
            case .reject(let status, let retryAfter):
                pendingInvites[key] = nil
                respond(key, call.request, max(300, status), toTag: call.id.localTag,
                        headers: retryAfter.map { [SIPHeaderField(name: .retryAfter, value: "\($0)")] } ?? [])
                releaseUnconfirmed(state)
                calls[call.id] = nil
            case .redirect(let contact):
                pendingInvites[key] = nil
                respond(key, call.request, 302, toTag: call.id.localTag, headers: [SIPHeaderField(name: .contact, value: "<\(contact)>")])
                releaseUnconfirmed(state)
                calls[call.id] = nil
            case .answer(let body, let ringFirst):
                if ringFirst { respond(key, call.request, 180, toTag: call.id.localTag) }
                var headers = [SIPHeaderField(name: .contact, value: contactHeader(for: state.peer.transport).description)]
                headers += capabilityHeaders()
                if let s = state.session {
                    headers.append(SIPHeaderField(name: .sessionExpires, value: s.headerValue))
                    if s.refresher == .uac { headers.append(SIPHeaderField(name: .require, value: "timer")) }
                }
                var ok = SIPResponse(answering: call.request, statusCode: 200, toTag: call.id.localTag)
                ok.headers.add(.server, configuration.productName)
                for h in headers { ok.headers.add(h.name, h.value) }
                ok.headers.add(.contentType, body.contentType)
                ok.body = body.bytes
                state.localBody = body
                state.unackedOK = ok
                state.retransmitInterval = configuration.timers.t1
                state.retransmitElapsed = .zero
                calls[call.id] = state
                pendingInvites[key] = nil
                perform(layer.respond(ok, to: key), source: nil)
                // §13.3.1.4: the UAS core retransmits 2xx until the ACK arrives.
                if !state.peer.transport.isReliable {
                    schedule(.dialog(call.id, .retransmit2xx), after: state.retransmitInterval, event: .dialogTimer(call.id, .retransmit2xx))
                } else {
                    schedule(.dialog(call.id, .retransmit2xx), after: configuration.timers.transactionTimeout, event: .dialogTimer(call.id, .retransmit2xx))
                }
            }
        }
    }

    /// A banned address's dialogs that were never confirmed end now: a flood's INVITEs answered
    /// before the ban must not hold the tenant's call slots, media ports and 2xx retransmissions
    /// until their ACK timeout (32 s). Confirmed calls from that address go on.
    func endUnconfirmedDialogs(from address: String) {
        let victims = calls.filter { $0.value.unconfirmedFrom == address && !$0.value.established }
        for (id, state) in victims {
            if let key = state.inviteKey, pendingInvites.removeValue(forKey: key) != nil, let request = layer.serverRequest(key) {
                respond(key, request, 503, toTag: id.localTag) // not answered yet: the final answer, once
            }
            endCall(id, reason: .ackTimeout)
        }
        if !victims.isEmpty {
            logger.info("unconfirmed dialogs of a banned source ended", metadata: ["source": "\(address)", "count": "\(victims.count)"])
        }
    }

    /// The dialog no longer counts against its source's unconfirmed-dialog limit.
    func releaseUnconfirmed(_ state: CallState) {
        if let source = state.unconfirmedFrom { sourceGuard.closeDialog(source) }
    }

    func cancelPendingInvite(_ key: TransactionKey) {
        guard let call = pendingInvites.removeValue(forKey: key), let request = layer.serverRequest(key) else { return }
        respond(key, request, 487, toTag: call.id.localTag)
        endCall(call.id, reason: .cancelled)
    }

    func receiveAck(_ ack: SIPRequest) {
        guard let id = DialogID.forIncoming(ack), var state = calls[id] else { return }
        cancelTimer(.dialog(id, .retransmit2xx))
        state.unackedOK = nil
        state.inviteKey = nil
        state.reinviteInProgress = false
        if !state.established {
            releaseUnconfirmed(state)
            state.unconfirmedFrom = nil
            state.established = true
            state.dialog.state = .confirmed
            let delegate = self.delegate
            let call = state.call
            spawn { await delegate.callConfirmed(call) }
        }
        calls[id] = state
        armSessionTimer(id)
    }

    func armSessionTimer(_ id: DialogID) {
        guard let state = calls[id], let s = state.session else { return }
        if s.weRefresh {
            schedule(.dialog(id, .sessionRefresh), after: s.refreshAfter, event: .dialogTimer(id, .sessionRefresh))
        } else {
            schedule(.dialog(id, .sessionExpiry), after: s.expireAfter, event: .dialogTimer(id, .sessionExpiry))
        }
    }

    func dialogTimerFired(_ id: DialogID, _ timer: DialogTimer) {
        guard var state = calls[id] else { return }
        switch timer {
        case .retransmit2xx:
            guard let ok = state.unackedOK else { return }
            state.retransmitElapsed += state.retransmitInterval
            if state.retransmitElapsed >= configuration.timers.transactionTimeout || state.peer.transport.isReliable {
                // §13.3.1.4: no ACK within 64*T1 — end the session. The RFC's BYE (SHOULD) is sent
                // only when the peer ever acknowledged us: a dialog never confirmed may come from
                // a forged source, and its BYE (and retransmissions) would go to a third party.
                calls[id] = state
                logger.info("no ACK for 2xx", metadata: ["sip.call_id": "\(id.callID)"])
                if state.established {
                    hangUpFromCore(id, reason: .ackTimeout)
                } else {
                    endCall(id, reason: .ackTimeout)
                }
                return
            }
            if let key = state.inviteKey, layer.serverRequest(key) != nil {
                perform(layer.respond(ok, to: key), source: nil)
            } else {
                sendDirect(.response(ok), to: ResponseRouting.destination(for: ok, transport: state.peer.transport, requestSource: state.peer.address))
            }
            state.retransmitInterval = min(state.retransmitInterval * 2, configuration.timers.t2)
            calls[id] = state
            schedule(.dialog(id, .retransmit2xx), after: state.retransmitInterval, event: .dialogTimer(id, .retransmit2xx))
        case .sessionExpiry:
            // RFC 4028 §10: no refresh arrived — the peer is gone.
            logger.info("session timer expired", metadata: ["sip.call_id": "\(id.callID)"])
            hangUpFromCore(id, reason: .sessionTimerExpired)
        case .sessionRefresh:
            guard let session = state.session else { return }
            spawn { await self.refreshSession(id, session: session) }
        }
    }

    // MARK: In-dialog

    func receiveInDialog(_ request: SIPRequest, key: TransactionKey, source: SIPEndpoint) {
        guard let id = DialogID.forIncoming(request), var state = calls[id] else {
            respond(key, request, 481)
            return
        }
        guard state.dialog.receive(request) else {
            respond(key, request, 500, headers: [SIPHeaderField(name: .retryAfter, value: "1")])
            return
        }
        state.peer = source
        calls[id] = state
        let call = state.call
        let delegate = self.delegate
        let body = request.body.isEmpty ? nil : SessionBody(contentType: request.headers.contentType ?? "application/octet-stream", bytes: request.body)
        switch request.method {
        case .bye:
            respond(key, request, 200)
            endCall(id, reason: .remoteHangUp)
        case .invite, .update:
            if request.method == .invite, state.reinviteInProgress {
                respond(key, request, 491) // §14.2: a re-INVITE is already pending
                return
            }
            if request.method == .invite {
                state.reinviteInProgress = true
                state.inviteKey = key
                calls[id] = state
            }
            if case .active(let s) = SessionTimer.negotiateAsServer(request, defaultInterval: nil) {
                calls[id]?.session = s
            }
            armSessionTimer(id) // any refresh restarts the session timer (RFC 4028 §10)
            let method = request.method
            guard body != nil else {
                // No offer: a session refresh (RFC 4028 §7.4). An UPDATE gets 200 without a body
                // (RFC 3311 §5.2); a re-INVITE gets our current session as the offer in the 200,
                // unchanged (RFC 3261 §14.2, RFC 3264 §8), and its ACK's answer changes nothing.
                answerModification(id, key: key, request: request, method: method,
                                   answer: method == .update ? nil : state.localBody, refreshOnly: true)
                return
            }
            spawn {
                let answer = await delegate.sessionModified(call, offer: body)
                await self.answerModification(id, key: key, request: request, method: method, answer: answer)
            }
        case .info:
            spawn {
                let status = await delegate.info(call, body: body)
                await self.respondLater(key, request, status)
            }
        case .refer:
            guard let referTo = request.headers[.referTo].flatMap({ try? NameAddress.parse($0, header: "Refer-To") }) else {
                respond(key, request, 400)
                return
            }
            spawn {
                let accepted = await delegate.refer(call, to: referTo)
                await self.respondLater(key, request, accepted ? 202 : 603)
            }
        case .notify, .options:
            respond(key, request, 200)
        default:
            respond(key, request, 405, headers: [SIPHeaderField(name: .allow, value: Self.allowed)])
        }
    }

    func respondLater(_ key: TransactionKey, _ request: SIPRequest, _ status: Int) {
        do { respond(key, request, status) }
    }

    /// Answers a re-INVITE or UPDATE: 200 with `answer`, 488 when the application has none
    /// (RFC 3261 §14.2). `refreshOnly`: a request without an offer, answered 200 (with `answer`,
    /// our current session, when one is known; else without a body).
    func answerModification(_ id: DialogID, key: TransactionKey, request: SIPRequest, method: SIPMethod, answer: SessionBody?,
                            refreshOnly: Bool = false) {
        do {
            guard var state = calls[id] else { return }
            guard answer != nil || refreshOnly else {
                state.reinviteInProgress = false
                calls[id] = state
                respond(key, request, 488, toTag: id.localTag)
                return
            }
            var ok = SIPResponse(answering: request, statusCode: 200, toTag: id.localTag)
            ok.headers.add(.server, configuration.productName)
            ok.headers.add(.contact, contactHeader(for: state.peer.transport).description)
            if let s = state.session {
                // Who refreshes, named for this transaction, whose UAC is the peer (RFC 4028 §9).
                ok.headers.add(.sessionExpires, "\(s.interval);refresher=\(s.weRefresh ? "uas" : "uac")")
                if !s.weRefresh { ok.headers.add(.require, "timer") }
            }
            if let answer, !answer.bytes.isEmpty {
                ok.headers.add(.contentType, answer.contentType)
                ok.body = answer.bytes
                state.localBody = answer
            }
            if method == .invite {
                state.unackedOK = ok
                state.retransmitInterval = configuration.timers.t1
                state.retransmitElapsed = .zero
                calls[id] = state
                perform(layer.respond(ok, to: key), source: nil)
                schedule(.dialog(id, .retransmit2xx), after: state.retransmitInterval, event: .dialogTimer(id, .retransmit2xx))
            } else {
                calls[id] = state
                perform(layer.respond(ok, to: key), source: nil)
            }
        }
    }

    func endCall(_ id: DialogID, reason: SIPCallEndReason) {
        guard let state = calls.removeValue(forKey: id) else { return }
        releaseUnconfirmed(state)
        for t in [DialogTimer.retransmit2xx, .sessionRefresh, .sessionExpiry] { cancelTimer(.dialog(id, t)) }
        completedCalls += 1
        let delegate = self.delegate
        let call = state.call
        spawn { await delegate.callEnded(call, reason: reason) }
    }
}

