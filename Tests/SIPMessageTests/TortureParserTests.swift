import Testing
@testable import SIPMessage

/// RFC 4475 messages parsed (or rejected) exactly as manifest.tsv says.
@Suite("RFC 4475 torture corpus")
struct TortureParserTests {
    let parser = SIPMessageParser()

    @Test("every manifest entry parses or is rejected as listed", arguments: try TortureCorpus.load())
    func manifestEntry(_ c: TortureCase) throws {
        #expect(c.bytes.count == c.size, "file size differs from the manifest")
        switch c.parserExpectation {
        case "accept", "accept-parse":
            #expect(throws: Never.self) { try parser.parse(c.bytes) }
        case "reject":
            let error = #expect(throws: SIPParseError.self) { try parser.parse(c.bytes) }
            guard let error else { return }
            if c.expected.lowercased().contains("drop") {
                // Malformed responses are dropped: nothing to answer.
                #expect(error.partial?.request == nil)
            } else if let status = c.expectedStatus {
                #expect(error.statusCode == status, "\(c.name): \(error)")
                // A stateless error response needs at least the Via to route it.
                #expect(error.partial?.headers.contains(.via) == true)
            }
        case "reject-or-liberal":
            if let error = #expect(throws: SIPParseError.self, performing: { try parser.parse(c.bytes) }) {
                #expect(error.statusCode == 400)
            }
        default:
            Issue.record("unknown parser expectation \(c.parserExpectation)")
        }
    }

    @Test("every prefix of every message parses or throws without crashing", arguments: try TortureCorpus.load())
    func prefixes(_ c: TortureCase) {
        var outcomes = 0
        for end in 0...c.bytes.count {
            _ = try? parser.parse(Array(c.bytes[0..<end]))
            _ = try? parser.parse(Array(c.bytes[0..<end]), framing: .stream)
            outcomes += 1
        }
        #expect(outcomes == c.bytes.count + 1)
    }

    @Test func wsinvKeepsEveryOddity() throws {
        let r = try #require(parser.parse(TortureCorpus.named("wsinv")).request)
        #expect(r.method == .invite)
        #expect(try r.headers.maxForwards() == 68)
        #expect(try r.headers.cseq() == CSeq(9, .invite))
        #expect(r.headers[SIPHeaderName("UnknownHeaderWithUnusualValue")] == ";;,,;;,;")
        #expect(r.headers[SIPHeaderName("NewFangledHeader")] == "newfangled value continued newfangled value")
        #expect(r.headers[.subject] == "")
        let from = try r.headers.from()
        #expect(from.displayName == "J Rosenberg \\\"")
        #expect(from.tag == "98asjd8")
        #expect(try r.headers.to().tag == "1918181833n")
        let vias = try r.headers.vias()
        #expect(vias.count == 3)
        #expect(vias[0].branch == "390skdjuw")
        #expect(vias[0].isRFC3261Branch == false)
        #expect(vias[1].transport == "TCP")
        #expect(vias[1].host == "spindle.example.com")
        #expect(vias[2].host == "192.168.255.111")
        #expect(vias[2].branch == "z9hG4bK30239")
        guard case .addresses(let contacts)? = try r.headers.contact() else { Issue.record("no contact"); return }
        #expect(contacts.first?.displayName == "Quoted string \"\"")
        #expect(contacts.first?.parameters.parameter("q") == .some("0.33"))
        #expect(contacts.first?.parameters.parameter("newparam") == .some("newvalue"))
        #expect(contacts.first?.parameters.has("secondparam") == true)
        #expect(r.body.count == 150)
        #expect(try r.headers.routes().first?.uri.sipURI?.isLooseRouter == true)
    }

    @Test func esc01DecodesEscapesExactlyOnce() throws {
        let r = try #require(parser.parse(TortureCorpus.named("esc01")).request)
        let uri = try #require(r.uri.sipURI)
        #expect(uri.user == "sips:user@example.com")
        #expect(uri.host == "example.net")
        #expect(try r.headers.to().uri.sipURI?.user == "user")
        #expect(try r.headers.from().uri.sipURI?.user == "I have spaces")
        guard case .addresses(let contacts)? = try r.headers.contact(), let contact = contacts.first?.uri.sipURI else {
            Issue.record("contact"); return
        }
        #expect(contact.user == "caller")
        #expect(contact.isLooseRouter)
        #expect(contact.parameters.parameter("name") == .some("value%41"))
    }

    @Test func semiuriUserPartKeepsSemicolon() throws {
        let r = try #require(parser.parse(TortureCorpus.named("semiuri")).request)
        #expect(r.uri.sipURI?.user == "user;par=u@example.net")
        #expect(r.uri.sipURI?.host == "example.com")
        #expect(r.uri.sipURI?.parameters.isEmpty == true)
        #expect(r.headers.listValues(.accept).count == 6)
    }

    @Test func dblreqIgnoresTrailingOctets() throws {
        let r = try #require(parser.parse(TortureCorpus.named("dblreq")).request)
        #expect(r.method == .register)
        #expect(r.body.isEmpty)
        #expect(try r.headers.callID() == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
    }

    @Test func mpart01KeepsBinaryBodyOpaque() throws {
        let bytes = try TortureCorpus.named("mpart01")
        let r = try #require(parser.parse(bytes).request)
        #expect(r.method == .message)
        #expect(r.body.count == 553)
        #expect(r.body.contains(0))
        #expect(Array(bytes.suffix(553)) == r.body)
        #expect(r.headers.contentType == "multipart/mixed")
    }

    @Test func unreasonKeepsUTF8ReasonPhrase() throws {
        let r = try #require(parser.parse(TortureCorpus.named("unreason")).response)
        #expect(r.statusCode == 200)
        #expect(r.reasonPhrase.hasPrefix("= 2**3 * 5**2 "))
        #expect(r.reasonPhrase.unicodeScalars.contains { $0.value > 0x400 && $0.value < 0x500 })
    }

    @Test func cparam01ContactParameterBindsToTheHeader() throws {
        let r = try #require(parser.parse(TortureCorpus.named("cparam01")).request)
        guard case .addresses(let contacts)? = try r.headers.contact(), let c = contacts.first else { Issue.record("contact"); return }
        #expect(c.parameters.has("unknownparam"))
        #expect(c.uri.sipURI?.parameters.isEmpty == true)
        #expect(c.uri.sipURI?.user == "+19725552222")
    }

    @Test func lwsdispAndLongreq() throws {
        let l = try #require(parser.parse(TortureCorpus.named("lwsdisp")).request)
        #expect(try l.headers.from().displayName == "caller")
        let long = try #require(parser.parse(TortureCorpus.named("longreq")).request)
        #expect(try long.headers.vias().count == 34)
        #expect(try long.headers.callID().count > 100)
        #expect(try long.headers.to().uri.sipURI?.port == 6000)
    }

    @Test func inv2543BodyIsTheRestOfTheDatagram() throws {
        let bytes = try TortureCorpus.named("inv2543")
        let r = try #require(parser.parse(bytes).request)
        #expect(r.body.count > 0)
        #expect(try r.headers.topVia().branch == nil)
        #expect(try r.headers.from().tag == nil)
        #expect(try r.headers.maxForwards() == nil)
        // On a stream the same message cannot be framed.
        #expect(throws: SIPParseError.missingContentLength) { try parser.parse(bytes, framing: .stream) }
    }

    @Test func unknownSchemeIsKeptOpaque() throws {
        let r = try #require(parser.parse(TortureCorpus.named("unkscm")).request)
        #expect(r.uri == .absolute(scheme: "nobodyKnowsThisScheme", rest: "totallyopaquecontent"))
        #expect(r.uri.scheme == "nobodyknowsthisscheme")
    }

    @Test func bext01OptionTags() throws {
        let r = try #require(parser.parse(TortureCorpus.named("bext01")).request)
        #expect(r.headers.optionTags(.require) == ["nothingSupportsThis", "nothingSupportsThisEither"])
        #expect(r.headers.optionTags(.proxyRequire).count == 2)
    }
}
