extension SIPResponse {
    /// A response to `request` with the headers RFC 3261 §8.2.6.2 copies: all Via values, From,
    /// To (with `toTag` added if it has none and the status is not 100), Call-ID, CSeq and
    /// Timestamp. Works on partially valid requests too (missing headers are skipped) so a
    /// stateless 400 can be built.
    public init(answering request: SIPRequest, statusCode: Int, reasonPhrase: String? = nil, toTag: String? = nil) {
        var h = SIPHeaders()
        for via in request.headers.values(.via) { h.add(.via, via) }
        if let from = request.headers[.from] { h.add(.from, from) }
        if var to = request.headers[.to] {
            if statusCode != 100, let toTag, (try? request.headers.to().tag) == nil {
                to += ";tag=" + toTag
            }
            h.add(.to, to)
        }
        if let callID = request.headers[.callID] { h.add(.callID, callID) }
        if let cseq = request.headers[.cseq] { h.add(.cseq, cseq) }
        if statusCode == 100, let ts = request.headers[.timestamp] { h.add(.timestamp, ts) }
        self.init(statusCode: statusCode, reasonPhrase: reasonPhrase, headers: h)
    }
}
