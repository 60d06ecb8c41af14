import SIPDialog
import SIPMessage

extension SIPUserAgent {
    /// We are the refresher (RFC 4028 §10): an UPDATE without an offer, as §7.4 recommends, with
    /// Session-Expires naming us (the UAC of this request) the refresher. A peer that does not
    /// take UPDATE (405, 501) gets a re-INVITE with our current session instead. The 2xx may hand
    /// the refresh to the peer (§7.2); 408 or 481 means the session is gone (§10): BYE.
    func refreshSession(_ id: DialogID, session: SessionTimer) async {
        let headers = [SIPHeaderField(name: .sessionExpires, value: session.refreshRequestHeaderValue),
                       SIPHeaderField(name: .supported, value: "timer")]
        do {
            var response = try await sendInDialog(id, method: .update, body: nil, extraHeaders: headers)
            if response.statusCode == 405 || response.statusCode == 501, let body = calls[id]?.localBody {
                _ = try await reinvite(id, offer: body) // re-arms the timer from what we had
                return
            }
            if response.statusCode == 422, let minSE = response.headers[.minSE].flatMap({ UInt32($0.filter { $0 != " " }.prefix(10)) }),
               minSE > session.interval {
                // §7.4 / §6: the peer wants a longer interval; ask once more with its Min-SE.
                var longer = session
                longer.interval = minSE
                calls[id]?.session = longer
                response = try await sendInDialog(id, method: .update, body: nil, extraHeaders: [
                    SIPHeaderField(name: .sessionExpires, value: longer.refreshRequestHeaderValue),
                    SIPHeaderField(name: .supported, value: "timer"), SIPHeaderField(name: .minSE, value: "\(minSE)"),
                ])
            }
            if response.isSuccess {
                if calls[id] != nil { calls[id]?.session = SessionTimer.fromResponse(response) ?? session }
            } else if response.statusCode == 408 || response.statusCode == 481 {
                return refreshFailed(id, status: response.statusCode)
            }
        } catch let failure as SIPRequestFailure where failure.statusCode == 408 || failure.statusCode == 481 {
            return refreshFailed(id, status: failure.statusCode)
        } catch {
            // Another failure (503 shutting down, a reply to a re-INVITE): keep the session, try again later.
        }
        armSessionTimer(id)
    }

    private func refreshFailed(_ id: DialogID, status: Int) {
        logger.info("session refresh failed", metadata: ["sip.call_id": "\(id.callID)", "status": "\(status)"])
        hangUpFromCore(id, reason: .sessionTimerExpired)
    }
}
