import NIOCore
import SIPDialog
import SIPMessage
import SIPTransaction
import SIPTransport

extension SIPUserAgent {
    /// Places a call: INVITE `target` with `offer`, wait for the final response, ACK a 2xx
    /// (RFC 3261 §13.2). `destination` overrides where the request goes (e.g. a registered
    /// phone's source address); by default the target's host must be an IP address.
    /// Cancelling the calling task while the peer rings sends CANCEL (RFC 3261 §9.1).
    public func invite(_ target: SIPURI, from: NameAddress? = nil, offer: SessionBody?, destination: SIPEndpoint? = nil,
                       extraHeaders: [SIPHeaderField] = [], onProgress: (@Sendable (Int) -> Void)? = nil) async throws -> SIPCall {
        try await inviteWithAnswer(target, from: from, offer: offer, destination: destination, extraHeaders: extraHeaders,
                                   onProgress: onProgress).call
    }

    /// Calls every registered contact of `aor` in q order until one answers (sequential forking).
    public func inviteRegistered(aor: String, from: NameAddress? = nil, offer: SessionBody?) async throws -> SIPCall {
        try await inviteRegisteredWithAnswer(aor: aor, from: from, offer: offer).call
    }

    func newVia(_ transport: SIPTransportProtocol) -> Via {
        let local = self.transport!.localEndpoint(transport)
        return Via(transport: transport.rawValue, host: Self.hostString(local.address.ipAddress ?? "127.0.0.1"),
                   port: local.address.port, branch: Via.magicCookie + Self.token(), rport: true)
    }

    /// Sends a request in a new client transaction and waits for its final response.
    /// For an INVITE, `onProgress` is told each provisional status (see `sendInvite`).
    func sendRequest(_ request: SIPRequest, to destination: SIPEndpoint,
                     onProgress: (@Sendable (Int) -> Void)? = nil) async throws -> SIPResponse {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<SIPResponse, any Error>) in
            if stopping {
                cont.resume(throwing: SIPRequestFailure(statusCode: 503, reasonPhrase: "Shutting down"))
                return
            }
            do {
                let (key, events) = try layer.send(request, reliable: destination.transport.isReliable)
                clientDestinations[key] = destination
                if request.method == .invite {
                    outgoingInvites[key] = OutgoingInvite(request: request, destination: destination, onProgress: onProgress)
                }
                waiters[key] = cont
                perform(events, source: nil)
            } catch {
                cont.resume(throwing: error)
            }
        }
    }

    /// Where a request for `uri` goes when its host is an IP literal (no DNS in the media node).
    static func endpoint(for uri: AnyURI, defaultTransport: SIPTransportProtocol) -> SIPEndpoint? {
        guard let sip = uri.sipURI else { return nil }
        let host = sip.host.hasPrefix("[") ? String(sip.host.dropFirst().dropLast()) : sip.host
        let transport = sip.transport.flatMap { SIPTransportProtocol(viaTransport: $0) } ?? defaultTransport
        guard let address = try? SocketAddress(ipAddress: host, port: sip.port ?? 5060) else { return nil }
        return SIPEndpoint(transport, address)
    }

    /// Parses "udp:1.2.3.4:5060" as written by `SIPEndpoint.description`.
    static func parseEndpoint(_ text: String) -> SIPEndpoint? {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let t = SIPTransportProtocol(viaTransport: String(parts[0])),
              let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...]),
              let address = try? SocketAddress(ipAddress: String(parts[1][..<colon]), port: port)
        else { return nil }
        return SIPEndpoint(t, address)
    }

    /// The next hop of an in-dialog request: first route or remote target if it is an IP literal, else the peer.
    func nextHop(_ dialog: Dialog, fallback: SIPEndpoint) -> SIPEndpoint {
        let uri = dialog.routeSet.first?.uri ?? dialog.remoteTarget
        return Self.endpoint(for: uri, defaultTransport: fallback.transport) ?? fallback
    }

    func resendAckIfNeeded(_ response: SIPResponse) {
        guard response.isSuccess, let cseq = try? response.headers.cseq(), cseq.method == .invite,
              let id = DialogID.forResponse(response), let state = calls[id], let ack = state.ack,
              (try? ack.headers.cseq().sequence) == cseq.sequence
        else { return }
        sendDirect(.request(ack), to: state.peer)
    }

    /// Builds the next in-dialog request and where it goes.
    func makeInDialogRequest(_ id: DialogID, method: SIPMethod, body: SessionBody?, extraHeaders: [SIPHeaderField] = []) -> (SIPRequest, SIPEndpoint)? {
        guard var state = calls[id] else { return nil }
        var request = state.dialog.makeRequest(method, via: newVia(state.peer.transport), contact: contactHeader(for: state.peer.transport),
                                               body: body?.bytes ?? [], contentType: body?.contentType)
        for f in extraHeaders { request.headers.add(f.name, f.value) }
        let hop = nextHop(state.dialog, fallback: state.peer)
        calls[id] = state
        return (request, hop)
    }

    /// Sends a non-INVITE request in the call's dialog and returns the final response.
    func sendInDialog(_ id: DialogID, method: SIPMethod, body: SessionBody?, extraHeaders: [SIPHeaderField] = []) async throws -> SIPResponse {
        guard let (request, hop) = makeInDialogRequest(id, method: method, body: body, extraHeaders: extraHeaders) else {
            throw SIPRequestFailure(statusCode: 481, reasonPhrase: "Call/Transaction Does Not Exist")
        }
        return try await sendRequest(request, to: hop)
    }

    func reinvite(_ id: DialogID, offer: SessionBody) async throws -> SessionBody? {
        guard let (request, hop) = makeInDialogRequest(id, method: .invite, body: offer) else {
            throw SIPRequestFailure(statusCode: 481, reasonPhrase: "Call/Transaction Does Not Exist")
        }
        let response = try await sendRequest(request, to: hop)
        guard response.isSuccess else { throw SIPRequestFailure(statusCode: response.statusCode, reasonPhrase: response.reasonPhrase) }
        guard var state = calls[id] else { return nil }
        let seq = (try? request.headers.cseq().sequence) ?? 0
        let ack = state.dialog.makeRequest(.ack, via: newVia(hop.transport), contact: nil, sequence: seq)
        sendDirect(.request(ack), to: hop)
        state.ack = ack
        state.localBody = offer
        calls[id] = state
        armSessionTimer(id)
        return response.body.isEmpty ? nil : SessionBody(contentType: response.headers.contentType ?? "application/sdp", bytes: response.body)
    }

    /// Sends BYE and ends the call (application request).
    func hangUp(_ id: DialogID) async {
        guard let (bye, hop) = makeInDialogRequest(id, method: .bye, body: nil) else { return }
        endCall(id, reason: .localHangUp)
        _ = try? await sendRequest(bye, to: hop)
    }

    /// Where the call's peer signals from (see `SIPCall.peerIPAddress()`).
    func peerIPAddress(_ id: DialogID) -> String? {
        calls[id]?.peer.address.ipAddress
    }

    /// Ends a call the core gave up on (lost ACK, expired session timer) with a BYE.
    func hangUpFromCore(_ id: DialogID, reason: SIPCallEndReason) {
        guard let (bye, hop) = makeInDialogRequest(id, method: .bye, body: nil) else { return }
        endCall(id, reason: reason)
        spawn { _ = try? await self.sendRequest(bye, to: hop) }
    }
}
