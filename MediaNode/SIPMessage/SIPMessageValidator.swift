/// Semantic checks every element applies before acting on a message (RFC 3261 §8.2.2, §8.1.3.3,
/// RFC 4475 §3.1.2). A request failing here is answered with `SIPParseError.statusCode`; a
/// response failing here is dropped.
public enum SIPMessageValidator {
    public static func validate(_ message: SIPMessage) throws(SIPParseError) {
        switch message {
        case .request(let r): try validate(r)
        case .response(let r): try validateCommon(r.headers)
        }
    }

    public static func validate(_ request: SIPRequest) throws(SIPParseError) {
        // §8.2.2: a version we do not speak is answered 505 before anything else.
        guard request.version.uppercased() == "SIP/2.0" else { throw .unsupportedVersion(request.version) }
        let cseq = try validateCommon(request.headers)
        guard cseq.method == request.method else { throw .cseqMethodMismatch }
        _ = try request.headers.maxForwards()
        _ = try request.headers.expires()
        _ = try request.headers.contact()
        _ = try request.headers.routes()
        _ = try request.headers.recordRoutes()
    }

    /// Headers mandatory in every request and response (RFC 3261 §8.1.1): To, From, CSeq,
    /// Call-ID, Via (Max-Forwards is not required here: RFC 2543 peers omit it).
    @discardableResult
    static func validateCommon(_ headers: SIPHeaders) throws(SIPParseError) -> CSeq {
        let vias = try headers.vias()
        guard !vias.isEmpty else { throw .missingHeader("Via") }
        _ = try headers.from()
        _ = try headers.to()
        _ = try headers.callID()
        guard headers.values(.from).count == 1 else { throw .malformedHeader("From", "repeated") }
        guard headers.values(.to).count == 1 else { throw .malformedHeader("To", "repeated") }
        guard headers.values(.callID).count == 1 else { throw .malformedHeader("Call-ID", "repeated") }
        guard headers.values(.cseq).count == 1 else {
            if headers.values(.cseq).isEmpty { throw .missingHeader("CSeq") }
            throw .malformedHeader("CSeq", "repeated")
        }
        return try headers.cseq()
    }
}
