import NIOCore
import SIPDialog
import SIPMessage
import SIPTransaction
import SIPTransport

// Placing calls. `invite` returns only the call; a B2BUA also needs the 2xx's body (the SDP
// answer of the agent leg), which these return.

extension SIPUserAgent {
    /// Like `invite(_:from:offer:destination:extraHeaders:)` (same steps, RFC 3261 §13.2), and also
    /// returns the body of the peer's 2xx.
    /// `onProgress` is told each provisional status (180 Ringing, 183...) as it arrives.
    public func inviteWithAnswer(_ target: SIPURI, from: NameAddress? = nil, offer: SessionBody?, destination: SIPEndpoint? = nil,
                                 extraHeaders: [SIPHeaderField] = [],
                                 onProgress: (@Sendable (Int) -> Void)? = nil) async throws -> (call: SIPCall, answer: SessionBody?) {
        let transport = try await boundTransport()
        guard let dest = destination ?? Self.endpoint(for: .sip(target), defaultTransport: .udp) else {
            throw SIPRequestFailure(statusCode: 416, reasonPhrase: "Target host must be an IP address without DNS")
        }
        let local = transport.localEndpoint(dest.transport)
        var fromAddress = from ?? NameAddress(uri: SIPURI(user: "media-node", host: Self.hostString(local.address.ipAddress ?? "127.0.0.1")))
        fromAddress.parameters.set("tag", Self.token())
        var h = SIPHeaders()
        h.add(.via, newVia(dest.transport).description)
        h.add(.maxForwards, "70")
        h.add(.from, fromAddress.description)
        h.add(.to, NameAddress(uri: target).description)
        h.add(.callID, Self.token() + Self.token())
        h.add(.cseq, CSeq(1, .invite).description)
        h.add(.contact, contactHeader(for: dest.transport).description)
        for f in capabilityHeaders() { h.add(f.name, f.value) }
        h.add(.userAgent, configuration.productName)
        for f in extraHeaders { h.add(f.name, f.value) }
        if let offer {
            h.add(.contentType, offer.contentType)
        }
        let request = SIPRequest(method: .invite, uri: .sip(target), headers: h, body: offer?.bytes ?? [])
        let response = try await sendInvite(request, to: dest, onProgress: onProgress)
        guard response.isSuccess else {
            throw SIPRequestFailure(statusCode: response.statusCode, reasonPhrase: response.reasonPhrase)
        }
        var dialog = try Dialog.client(request: request, response: response)
        let ack = dialog.makeRequest(.ack, via: newVia(dest.transport), contact: nil, sequence: 1)
        let hop = nextHop(dialog, fallback: dest)
        sendDirect(.request(ack), to: hop)
        let call = SIPCall(id: dialog.id, request: request, isIncoming: false, userAgent: self)
        var state = CallState(dialog: dialog, call: call, peer: hop)
        state.ack = ack
        state.established = true
        state.localBody = offer
        state.session = SessionTimer.fromResponse(response)
        calls[dialog.id] = state
        armSessionTimer(dialog.id)
        if Task.isCancelled {
            // The 2xx crossed our CANCEL (§9.1: the call is up regardless): end it with BYE.
            await hangUp(dialog.id)
            throw CancellationError()
        }
        let answer = response.body.isEmpty ? nil : SessionBody(contentType: response.headers.contentType ?? "application/sdp", bytes: response.body)
        return (call, answer)
    }

    /// Like `inviteRegistered(aor:from:offer:)`, and also returns the body of the 2xx.
    public func inviteRegisteredWithAnswer(aor: String, from: NameAddress? = nil, offer: SessionBody?,
                                           extraHeaders: [SIPHeaderField] = [],
                                           onProgress: (@Sendable (Int) -> Void)? = nil) async throws -> (call: SIPCall, answer: SessionBody?) {
        var lastError: any Error = SIPRequestFailure(statusCode: 480, reasonPhrase: "Temporarily Unavailable")
        for binding in bindings(for: aor) {
            guard let uri = binding.contact.uri.sipURI else { continue }
            // Reach phones behind NAT at the address their REGISTER came from.
            let dest = binding.source.flatMap(Self.parseEndpoint) ?? Self.endpoint(for: .sip(uri), defaultTransport: .udp)
            do {
                return try await inviteWithAnswer(uri, from: from, offer: offer, destination: dest, extraHeaders: extraHeaders, onProgress: onProgress)
            } catch {
                if Task.isCancelled { throw error } // given up: do not ring the next contact
                lastError = error
            }
        }
        throw lastError
    }
}
