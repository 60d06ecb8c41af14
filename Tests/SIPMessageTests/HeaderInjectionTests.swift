import Testing
@testable import SIPMessage

/// A decoded URI user or a display name from the wire must never add a header line to what we
/// send (issue 12: `sip:%0D%0ACall-Info:...;answer-after=0@host` made desk phones auto-answer).
@Suite("Header injection")
struct HeaderInjectionTests {
    static let injected = "%0D%0ACall-Info%3A%20%3Csip%3Ax%3E;answer-after=0"

    static func invite(from: String, to: String = "<sip:+861012345678@node.test>", uri: String = "sip:+861012345678@node.test") throws -> SIPRequest {
        let text = "INVITE \(uri) SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
            + "From: \(from);tag=1\r\nTo: \(to)\r\nCall-ID: inj1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        return try #require(try SIPMessageParser().parse(Array(text.utf8)).request)
    }

    @Test("escaped CR LF in a URI user parse (RFC 3261 §25.1) and are refused at ingress with a reason phrase")
    func controlCharactersInUsersAreFound() throws {
        let fromUser = try Self.invite(from: "<sip:\(Self.injected)@evil.test>")
        #expect(try fromUser.headers.from().uri.sipURI?.user?.contains("\r\nCall-Info") == true, "decoded once")
        #expect(fromUser.identityControlCharacterFault == "Control Character In URI User")
        let nul = try Self.invite(from: "<sip:%00@evil.test>")
        #expect(nul.identityControlCharacterFault == "Control Character In URI User")
        let ruri = try Self.invite(from: "<sip:a@b.test>", to: "<sip:x%0Ay@node.test>", uri: "sip:x%0Ay@node.test")
        #expect(ruri.identityControlCharacterFault == "Control Character In URI User")
        let display = try Self.invite(from: "\"Li\\\u{01}Na\" <sip:a@b.test>")
        #expect(display.identityControlCharacterFault == "Control Character In Display Name")
    }

    @Test("unusual but harmless escapes and display names are not refused")
    func legalEscapesPass() throws {
        #expect(try Self.invite(from: "\"Li\tNa \\\"the\\\" agent\" <sip:%61lice%20smith@b.test>").identityControlCharacterFault == nil)
        #expect(try Self.invite(from: "<sip:+86%2010@b.test>", uri: "sip:%2B861012345678@node.test").identityControlCharacterFault == nil)
    }

    @Test("the serializer drops CR, LF and NUL from every start line and header value")
    func serializerNeverWritesALineBreakInsideAValue() throws {
        var request = try Self.invite(from: "<sip:a@b.test>")
        // A display name and a header built from a decoded user, as the node builds the agent's INVITE.
        let user = try #require(try Self.invite(from: "<sip:\(Self.injected)@evil.test>").headers.from().uri.sipURI?.user)
        request.headers.set(.from, NameAddress(displayName: user, uri: SIPURI(user: user, host: "acme.test")).description + ";tag=9")
        request.headers.add(SIPHeaderName("X-Caller"), user + "\u{0}tail")
        var response = SIPResponse(answering: request, statusCode: 302, reasonPhrase: "Moved\r\nCall-Info: <sip:x>")
        response.headers.add(.contact, "<sip:\(user)@node.test>")
        for bytes in [request.serialized(), response.serialized()] {
            #expect(!bytes.contains(0))
            let text = String(decoding: bytes, as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n")
            #expect(!lines.contains { $0.lowercased().hasPrefix("call-info") }, "\(text)")
            // Every LF ends a CRLF: no bare LF or CR a lenient phone would take as a line end.
            let pairs = zip(bytes, bytes.dropFirst()).filter { $0 == (0x0D, 0x0A) }.count
            #expect(bytes.filter { $0 == 0x0A }.count == pairs && bytes.filter { $0 == 0x0D }.count == pairs, "\(text)")
            let again = try SIPMessageParser().parse(bytes)
            #expect(!again.headers.contains(SIPHeaderName("Call-Info")))
        }
        #expect(SIPHeaders.sanitizedValue("a\r\nb\u{0}c") == "abc")
    }
}
