import Testing
@testable import SIPMessage

@Suite struct SIPURITests {
    @Test func fullSIPURI() throws {
        let uri = try #require(AnyURI.parse("sips:alice:secret@Atlanta.COM:5061;transport=TCP;lr?subject=project%20x&priority=urgent").sipURI)
        #expect(uri.isSecure)
        #expect(uri.user == "alice")
        #expect(uri.password == "secret")
        #expect(uri.host == "Atlanta.COM")
        #expect(uri.port == 5061)
        #expect(uri.transport == "tcp")
        #expect(uri.isLooseRouter)
        #expect(uri.headers == [SIPParameter("subject", "project x"), SIPParameter("priority", "urgent")])
        #expect(uri.addressOfRecord == "sips:alice@atlanta.com")
        #expect(uri.description == "sips:alice:secret@Atlanta.COM:5061;transport=TCP;lr?subject=project%20x&priority=urgent")
    }

    @Test func ipv6References() throws {
        let uri = try #require(AnyURI.parse("sip:[2001:db8::10]:5070;maddr=[2001:db8::1]").sipURI)
        #expect(uri.host == "[2001:db8::10]")
        #expect(uri.port == 5070)
        #expect(uri.parameters.parameter("maddr") == .some("[2001:db8::1]"))
        let v = try Via.parse("SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=[2001:db8::9:255]")
        #expect(v.host == "[2001:db8::9:1]")
        #expect(v.port == 5060)
        #expect(v.received == "[2001:db8::9:255]")
    }

    @Test func telAndUnknownSchemes() throws {
        #expect(try AnyURI.parse("tel:+1-201-555-0123;ext=1234") == .tel(TelURI(number: "+1-201-555-0123", parameters: [SIPParameter("ext", "1234")])))
        #expect(try AnyURI.parse("urn:service:sos").scheme == "urn")
    }

    @Test("malformed URIs are rejected", arguments: [
        "<sip:user@example.com>", "sip:", "sip:user@", "sip:user@host:99999", "sip:@host", "sip:host;;lr",
        "sip:ho st", "sip:[::1", "1sip:host", "sip:us%zzer@host", "sip:host;a=%4",
    ])
    func malformed(_ text: String) {
        #expect(throws: SIPParseError.self) { try AnyURI.parse(text) }
    }

    @Test func escapingRoundTrips() throws {
        let uri = SIPURI(user: "I have spaces@x", host: "example.net", parameters: [SIPParameter("na me", "v;1")])
        let text = uri.description
        #expect(text == "sip:I%20have%20spaces%40x@example.net;na%20me=v%3B1")
        #expect(try AnyURI.parse(text).sipURI == uri)
    }

    @Test func equivalenceFollowsRFC3261Section19_1_4() throws {
        func u(_ s: String) throws -> SIPURI { try #require(AnyURI.parse(s).sipURI) }
        #expect(try u("sip:%61lice@atlanta.com;transport=TCP").isEquivalent(to: u("sip:alice@AtLanTa.CoM;Transport=tcp")))
        #expect(try u("sip:carol@chicago.com;security=on").isEquivalent(to: u("sip:carol@chicago.com")))
        #expect(try !u("SIP:ALICE@AtLanTa.CoM;Transport=udp").isEquivalent(to: u("sip:alice@AtLanTa.CoM;Transport=UDP")))
        #expect(try !u("sip:bob@biloxi.com").isEquivalent(to: u("sip:bob@biloxi.com:5060")))
        #expect(try !u("sip:bob@biloxi.com;transport=udp").isEquivalent(to: u("sip:bob@biloxi.com")))
        #expect(try !u("sip:carol@chicago.com;security=on").isEquivalent(to: u("sip:carol@chicago.com;security=off")))
        // A repeated parameter counts by its first occurrence (the fuzzer's regression
        // infra/fuzz/regressions/sip-message/crash-f06acdc3…: such a URI was not equivalent to itself).
        let repeated = try u("sip:+13035551111@ift.client.example.net;user=phone;maddr=a.example.net;user=phone;maddr=b.example.com")
        #expect(repeated.isEquivalent(to: repeated))
        #expect(try repeated.isEquivalent(to: u("sip:+13035551111@ift.client.example.net;user=phone;maddr=a.example.net")))
        #expect(try !repeated.isEquivalent(to: u("sip:+13035551111@ift.client.example.net;user=phone;maddr=b.example.com")))
    }
}

@Suite struct HeaderGrammarTests {
    @Test func nameAddressForms() throws {
        let a = try NameAddress.parse("\"Bob \\\"the\\\" Builder\" <sip:bob@biloxi.com>;tag=a6c85cf")
        #expect(a.displayName == "Bob \"the\" Builder")
        #expect(a.tag == "a6c85cf")
        let b = try NameAddress.parse("sip:bob@biloxi.com;tag=1")
        #expect(b.tag == "1")
        #expect(b.uri.sipURI?.parameters.isEmpty == true)
        let c = try NameAddress.parse("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8")
        #expect(c.displayName == "Anonymous")
        #expect(try NameAddress.parse(c.description) == c)
        #expect(throws: SIPParseError.self) { try NameAddress.parse("\"unterminated <sip:a@b>") }
        #expect(throws: SIPParseError.self) { try NameAddress.parse("<sip:a@b>;;") }
        #expect(throws: SIPParseError.self) { try NameAddress.parse("<sip:a@b") }
    }

    @Test func viaParameters() throws {
        let v = try Via.parse("SIP / 2.0 / udp  pc33.atlanta.com : 5066 ; branch = z9hG4bK776asdhds ;rport;received=192.0.2.1")
        #expect(v.transport == "UDP")
        #expect(v.host == "pc33.atlanta.com")
        #expect(v.port == 5066)
        #expect(v.branch == "z9hG4bK776asdhds")
        #expect(v.hasRport)
        #expect(v.rportValue == nil)
        #expect(v.isRFC3261Branch)
        #expect(try Via.parse(v.description) == v)
        #expect(throws: SIPParseError.self) { try Via.parse("SIP/2.0/UDP host;ttl=256") }
        #expect(throws: SIPParseError.self) { try Via.parse("SIP/2.0 host") }
    }

    @Test func cseqBounds() throws {
        #expect(try CSeq.parse("4294967295 INVITE").sequence == UInt32.max)
        #expect(throws: SIPParseError.self) { try CSeq.parse("4294967296 INVITE") }
        #expect(throws: SIPParseError.self) { try CSeq.parse("12INVITE") }
        #expect(throws: SIPParseError.self) { try CSeq.parse("-1 INVITE") }
    }

    @Test func qValues() {
        #expect(QValue("0.5")?.thousandths == 500)
        #expect(QValue("1")?.thousandths == 1000)
        #expect(QValue("1.000")?.thousandths == 1000)
        #expect(QValue("0.333")?.description == "0.333")
        #expect(QValue("1.1") == nil)
        #expect(QValue("0.1234") == nil)
        #expect(QValue("2") == nil)
    }

    @Test func listSplittingRespectsQuotesAndBrackets() {
        let parts = SIPHeaders.splitList("\"a, b\" <sip:x@y;p=1,2>, <sip:z@w>,sip:q@r")
        #expect(parts == ["\"a, b\" <sip:x@y;p=1,2>", "<sip:z@w>", "sip:q@r"])
    }

    @Test func compactAndCaseInsensitiveNames() {
        #expect(SIPHeaderName("i") == .callID)
        #expect(SIPHeaderName("CALL-ID") == .callID)
        #expect(SIPHeaderName("l").spelling == "Content-Length")
        #expect(SIPHeaderName("X-Custom").spelling == "X-Custom")
        #expect(SIPHeaderName("x-custom") == SIPHeaderName("X-CUSTOM"))
    }

    @Test func headerEditing() {
        var h: SIPHeaders = [.via: "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2", .to: "<sip:a@b>"]
        h.removeFirstListElement(.via)
        #expect(h[.via] == "SIP/2.0/UDP b;branch=z9hG4bK2")
        h.prepend(.via, "SIP/2.0/TCP c;branch=z9hG4bK3")
        #expect(h.values(.via).count == 2)
        h.set(.via, "x")
        #expect(h.values(.via) == ["x"])
        h.remove(.via)
        #expect(!h.contains(.via))
    }
}
