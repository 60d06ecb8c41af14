import Foundation
import Testing
@testable import SIPMessage

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private let invite = """
INVITE sip:bob@biloxi.com SIP/2.0\r
Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r
Max-Forwards: 70\r
To: Bob <sip:bob@biloxi.com>\r
From: Alice <sip:alice@atlanta.com>;tag=1928301774\r
Call-ID: a84b4c76e66710@pc33.atlanta.com\r
CSeq: 314159 INVITE\r
Contact: <sip:alice@pc33.atlanta.com>\r
Content-Type: application/sdp\r
Content-Length: 5\r
\r
v=0\r

"""

@Suite struct ParserFramingTests {
    let parser = SIPMessageParser()

    @Test func roundTripIsStable() throws {
        let m = try parser.parse(bytes(invite))
        let again = try parser.parse(m.serialized())
        #expect(again == m)
        #expect(m.serialized() == again.serialized())
    }

    @Test("torture messages round-trip through the serializer", arguments: try TortureCorpus.load().filter { $0.directory == "valid" })
    func tortureRoundTrip(_ c: TortureCase) throws {
        let first = try parser.parse(c.bytes)
        let second = try parser.parse(first.serialized())
        func normalized(_ h: SIPHeaders) -> [SIPHeaderField] { h.fields.filter { $0.name != .contentLength } }
        #expect(normalized(first.headers) == normalized(second.headers))
        #expect(first.body == second.body)
        #expect(first.request?.uri == second.request?.uri)
        #expect(first.request?.method == second.request?.method)
        #expect(first.response?.reasonPhrase == second.response?.reasonPhrase)
    }

    @Test func limitsAreEnforcedWithClearErrors() {
        let small = SIPMessageParser(configuration: .init(maxMessageSize: 100))
        #expect(throws: SIPParseError.messageTooLarge(invite.utf8.count, limit: 100)) { try small.parse(bytes(invite)) }
        #expect(SIPParseError.messageTooLarge(1, limit: 0).statusCode == 513)
        let fewHeaders = SIPMessageParser(configuration: .init(maxHeaderCount: 5))
        #expect(throws: SIPParseError.tooManyHeaders(limit: 5)) { try fewHeaders.parse(bytes(invite)) }
        let shortHeaders = SIPMessageParser(configuration: .init(maxHeaderLength: 20))
        #expect(throws: SIPParseError.headerTooLong(limit: 20)) { try shortHeaders.parse(bytes(invite)) }
    }

    @Test func contentLengthFaults() {
        let dup = invite.replacingOccurrences(of: "Content-Length: 5\r\n", with: "Content-Length: 5\r\nl: 6\r\n")
        #expect(throws: SIPParseError.duplicateContentLength) { try parser.parse(bytes(dup)) }
        let word = invite.replacingOccurrences(of: "Content-Length: 5", with: "Content-Length: five")
        #expect(throws: SIPParseError.invalidContentLength("five")) { try parser.parse(bytes(word)) }
        let same = invite.replacingOccurrences(of: "Content-Length: 5\r\n", with: "Content-Length: 5\r\nl: 5\r\n")
        #expect(throws: Never.self) { try parser.parse(bytes(same)) }
    }

    @Test func startLineFaults() {
        #expect(throws: SIPParseError.self) { try parser.parse(bytes("INVITE  sip:a@b SIP/2.0\r\n\r\n")) }
        #expect(throws: SIPParseError.self) { try parser.parse(bytes("INVITE sip:a@b SIP/2.0\r\nVia\r\n\r\n")) }
        #expect(throws: SIPParseError.self) { try parser.parse(bytes(" continuation: x\r\n\r\n")) }
        #expect(throws: SIPParseError.self) { try parser.parse(bytes("SIP/2.0 20 OK\r\n\r\n")) }
        #expect(throws: SIPParseError.self) { try parser.parse(bytes("SIP/2.0 700 Nope\r\n\r\n")) }
        let nul = invite.replacingOccurrences(of: "Max-Forwards: 70", with: "Max-Forwards: 7\u{0}0")
        #expect(throws: SIPParseError.self) { try parser.parse(bytes(nul)) }
    }

    @Test func leadingCRLFsAreIgnored() throws {
        #expect(try parser.parse(bytes("\r\n\r\n" + invite)).request?.method == .invite)
    }

    @Test func missingMandatoryHeadersAre400WithPartial() {
        let noCallID = invite.replacingOccurrences(of: "Call-ID: a84b4c76e66710@pc33.atlanta.com\r\n", with: "")
        let error = #expect(throws: SIPParseError.missingHeader("Call-ID")) { try parser.parse(bytes(noCallID)) }
        #expect(error?.statusCode == 400)
        #expect(error?.partial?.headers[.cseq] == "314159 INVITE")
    }

    /// SIPp once sent `agent1[authentication username= password=…]` as a header line: the request
    /// must still get a 400 carrying Via, Call-ID and CSeq (read around the bad line), not silence.
    @Test func badHeaderLineKeepsTheFieldsBeforeIt() throws {
        let bad = invite.replacingOccurrences(of: "Max-Forwards: 70\r\n", with: "Max-Forwards: 70\r\nagent1[authentication username= password=x]\r\n")
        let error = #expect(throws: SIPParseError.self) { try parser.parse(bytes(bad)) }
        #expect(error?.statusCode == 400)
        #expect(error?.partial?.headers[.cseq] == "314159 INVITE")
        #expect(error?.partial?.headers.contains(.via) == true)
    }

    @Test func streamFraming() throws {
        let framer = SIPStreamFramer()
        func frame(_ s: [UInt8]) throws(SIPParseError) -> SIPStreamFramer.Frame {
            try s.withUnsafeBufferPointer { (p) throws(SIPParseError) -> SIPStreamFramer.Frame in try framer.nextFrame(p) }
        }
        let full = bytes(invite)
        #expect(try frame(full) == .message(length: full.count))
        #expect(try frame(Array(full.dropLast(2))) == .needMoreData)
        #expect(try frame(full + full) == .message(length: full.count))
        #expect(try frame(bytes("\r\n\r\n")) == .keepAlive(count: 4, isPing: true))
        #expect(try frame(bytes("\r\n")) == .needMoreData)
        #expect(try frame(bytes("\r\nINV")) == .keepAlive(count: 2, isPing: false))
        let negative = invite.replacingOccurrences(of: "Content-Length: 5", with: "Content-Length: -999")
        #expect(throws: SIPParseError.self) { try frame(bytes(negative)) }
        let missing = invite.replacingOccurrences(of: "Content-Length: 5\r\n", with: "")
        #expect(throws: SIPParseError.missingContentLength) { try frame(bytes(missing)) }
        let dup = invite.replacingOccurrences(of: "Content-Length: 5\r\n", with: "Content-Length: 5\r\nl: 9\r\n")
        #expect(throws: SIPParseError.duplicateContentLength) { try frame(bytes(dup)) }
        #expect(SIPParseError.duplicateContentLength.breaksStreamFraming)
    }

    @Test func buildAndSerializeAResponse() throws {
        var headers = SIPHeaders()
        headers.add(.via, "SIP/2.0/UDP host;branch=z9hG4bK1")
        headers.add(.from, "<sip:a@b>;tag=1")
        headers.add(.to, "<sip:c@d>;tag=2")
        headers.add(.callID, "x@y")
        headers.add(.cseq, "1 OPTIONS")
        let r = SIPResponse(statusCode: 200, headers: headers)
        let text = String(decoding: r.serialized(), as: UTF8.self)
        #expect(text.hasPrefix("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP host;branch=z9hG4bK1\r\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        let parsed = try #require(parser.parse(r.serialized()).response)
        #expect(Array(parsed.headers.fields.dropLast()) == r.headers.fields)
        #expect(parsed.statusCode == 200 && parsed.reasonPhrase == "OK")
    }
}
