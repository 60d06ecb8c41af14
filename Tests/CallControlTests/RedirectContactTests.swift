import CallControl
import SIPMessage
import Testing

/// The 302 Contact a node sends for a number homed elsewhere carries the dialled number as an
/// escaped URI user: a decoded CR LF in it cannot add a header (issue 12).
@Suite("302 Contact")
struct RedirectContactTests {
    @Test("the dialled number is %-escaped in the Contact; a home that is not a SIP host gives none")
    func numberIsEscaped() throws {
        #expect(CallRuntime.redirectContact(number: "+861012345678", home: "sip:10.0.0.2:5070") == "sip:+861012345678@10.0.0.2:5070")
        #expect(CallRuntime.redirectContact(number: "+861012345678", home: "10.0.0.2") == "sip:+861012345678@10.0.0.2")
        let injected = "1\r\nCall-Info: <sip:x>;answer-after=0"
        let contact = try #require(CallRuntime.redirectContact(number: injected, home: "10.0.0.2:5060"))
        #expect(!contact.contains("\r") && !contact.contains("\n"))
        var response = SIPResponse(statusCode: 302)
        response.headers.add(.contact, "<\(contact)>")
        let bytes = response.serialized()
        let parsed = try bytes.withUnsafeBufferPointer { p throws(SIPParseError) in try SIPMessageParser().parseUnvalidated(buffer: p, framing: .datagram) }
        let again = try #require(parsed.response)
        #expect(try again.headers.contact() == .addresses([NameAddress(uri: try #require(AnyURI.parse(contact).sipURI))]))
        #expect(again.headers.fields.count == 2, "Contact and Content-Length only: \(again.headers.fields)")
        #expect(CallRuntime.redirectContact(number: "1", home: "not a host") == nil)
        #expect(CallRuntime.redirectContact(number: "1", home: "sip:someone@10.0.0.2") == nil)
    }
}
