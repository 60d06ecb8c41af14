import SIPMessage
import SIPTransaction
import SIPTransport

/// An INVITE of ours that has no final response yet.
struct OutgoingInvite {
    let request: SIPRequest
    let destination: SIPEndpoint
    /// A provisional response arrived: CANCEL may be sent (RFC 3261 §9.1).
    var provisional = false
    /// The caller gave up (its task was cancelled) and wants the INVITE cancelled.
    var cancelRequested = false
    var cancelSent = false
    /// Told each provisional status (180, 183...) as it arrives.
    var onProgress: (@Sendable (Int) -> Void)?
}

extension SIPUserAgent {
    /// Sends an INVITE and waits for its final response. Cancelling the calling task cancels the
    /// INVITE (RFC 3261 §9.1): CANCEL goes out as soon as a provisional response has arrived, the
    /// peer answers the INVITE with 487, and this throws `SIPRequestFailure` 487.
    func sendInvite(_ request: SIPRequest, to destination: SIPEndpoint,
                    onProgress: (@Sendable (Int) -> Void)? = nil) async throws -> SIPResponse {
        try Task.checkCancellation() // nothing sent yet: nothing to cancel
        let key = TransactionKey.client(branch: (try? request.headers.topVia().branch ?? "") ?? "", method: .invite)
        return try await withTaskCancellationHandler {
            try await sendRequest(request, to: destination, onProgress: onProgress)
        } onCancel: {
            Task { await self.cancelInvite(key) }
        }
    }

    /// A response (or the end) of an INVITE client transaction.
    func outgoingInviteProgress(_ key: TransactionKey, status: Int?) {
        guard var invite = outgoingInvites[key] else { return }
        guard let status, status < 200 else {
            outgoingInvites[key] = nil
            return
        }
        if status > 100 { invite.onProgress?(status) }
        invite.provisional = true
        outgoingInvites[key] = invite
        if invite.cancelRequested, !invite.cancelSent { sendCancel(key) }
    }

    func cancelInvite(_ key: TransactionKey) {
        guard var invite = outgoingInvites[key] else { return } // already answered or failed
        invite.cancelRequested = true
        outgoingInvites[key] = invite
        if invite.provisional, !invite.cancelSent { sendCancel(key) }
    }

    /// RFC 3261 §9.1: Request-URI, Call-ID, From, To, CSeq number and Route as the INVITE; its top
    /// Via only (same branch); a non-INVITE client transaction of its own.
    func sendCancel(_ key: TransactionKey) {
        guard var invite = outgoingInvites[key], let via = try? invite.request.headers.topVia(),
              let cseq = try? invite.request.headers.cseq() else { return }
        invite.cancelSent = true
        outgoingInvites[key] = invite
        var h = SIPHeaders()
        h.add(.via, via.description)
        h.add(.maxForwards, "70")
        for name in [SIPHeaderName.from, .to, .callID] {
            if let value = invite.request.headers[name] { h.add(name, value) }
        }
        h.add(.cseq, CSeq(cseq.sequence, .cancel).description)
        for route in invite.request.headers.values(.route) { h.add(.route, route) }
        h.add(.userAgent, configuration.productName)
        let cancel = SIPRequest(method: .cancel, uri: invite.request.uri, headers: h, body: [])
        let destination = invite.destination
        spawn { _ = try? await self.sendRequest(cancel, to: destination) }
    }
}
