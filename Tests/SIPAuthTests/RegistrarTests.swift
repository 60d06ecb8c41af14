import Testing
import SIPAuth
import SIPMessage

private func register(contacts: [String], expires: String? = nil, callID: String = "c1", cseq: Int = 1) throws -> SIPRequest {
    var h = SIPHeaders()
    h.add(.via, "SIP/2.0/UDP 192.0.2.4;branch=z9hG4bK\(cseq)")
    h.add(.from, "<sip:bob@example.com>;tag=1")
    h.add(.to, "<sip:bob@Example.COM>")
    h.add(.callID, callID)
    h.add(.cseq, "\(cseq) REGISTER")
    for c in contacts { h.add(.contact, c) }
    if let expires { h.add(.expires, expires) }
    return SIPRequest(method: .register, uri: try AnyURI.parse("sip:example.com"), headers: h)
}

@Suite struct RegistrarTests {
    let aor = "sip:bob@example.com"

    @Test func addressOfRecordIgnoresCaseOfHost() throws {
        #expect(Registrar.addressOfRecord(of: try register(contacts: [])) == aor)
    }

    @Test func bindingsExpireAndAreOrderedByQ() throws {
        var r = Registrar()
        let out = r.register(try register(contacts: ["<sip:bob@192.0.2.4>;q=0.5", "<sip:bob@192.0.2.5>;q=0.9;expires=120"], expires: "600"), aor: aor, now: 0)
        guard case .accepted(let list) = out else { Issue.record("\(out)"); return }
        #expect(list.map { $0.contact.uri.sipURI?.host } == ["192.0.2.5", "192.0.2.4"])
        #expect(list.map(\.expiresAt) == [120, 600])
        #expect(Registrar.contactHeaderValues(list, now: 100) == ["<sip:bob@192.0.2.5>;q=0.9;expires=20", "<sip:bob@192.0.2.4>;q=0.5;expires=500"])
        #expect(r.bindings(for: aor, now: 121).count == 1)
        #expect(r.bindings(for: aor, now: 600).isEmpty)
        r.removeExpired(now: 600)
        #expect(r.count == 0)
    }

    @Test func tooBriefIntervalGets423WithMinExpires() throws {
        var r = Registrar(configuration: .init(minExpires: 60))
        let out = r.register(try register(contacts: ["<sip:bob@192.0.2.4>"], expires: "30"), aor: aor, now: 0)
        #expect(out == .rejected(status: 423, headers: [SIPHeaderField(name: .minExpires, value: "60")]))
        #expect(r.bindings(for: aor, now: 0).isEmpty)
    }

    @Test func longIntervalIsCapped() throws {
        var r = Registrar(configuration: .init(maxExpires: 3600))
        guard case .accepted(let list) = r.register(try register(contacts: ["<sip:bob@h>"], expires: "99999"), aor: aor, now: 0) else {
            Issue.record("rejected"); return
        }
        #expect(list.first?.expiresAt == 3600)
    }

    @Test func wildcardRemovesAllOnlyWithExpiresZero() throws {
        var r = Registrar()
        _ = r.register(try register(contacts: ["<sip:bob@a>", "<sip:bob@b>"], cseq: 1), aor: aor, now: 0)
        #expect(r.register(try register(contacts: ["*"], cseq: 2), aor: aor, now: 1) == .rejected(status: 400, headers: []))
        #expect(r.register(try register(contacts: ["*"], expires: "0", cseq: 3), aor: aor, now: 1) == .accepted([]))
        #expect(r.bindings(for: aor, now: 1).isEmpty)
    }

    @Test func refreshReplacesAndStaleCSeqIsRefused() throws {
        var r = Registrar()
        _ = r.register(try register(contacts: ["<sip:bob@a>"], expires: "100", cseq: 5), aor: aor, now: 0)
        #expect(r.register(try register(contacts: ["<sip:bob@a>"], expires: "300", cseq: 5), aor: aor, now: 1) == .rejected(status: 500, headers: []))
        guard case .accepted(let list) = r.register(try register(contacts: ["<sip:bob@A>"], expires: "300", cseq: 6), aor: aor, now: 1) else {
            Issue.record("rejected"); return
        }
        #expect(list.count == 1)
        #expect(list[0].expiresAt == 301)
        // Another Call-ID (a rebooted phone) may update whatever its CSeq.
        guard case .accepted(let after) = r.register(try register(contacts: ["<sip:bob@a>"], expires: "0", callID: "c2", cseq: 1), aor: aor, now: 2) else {
            Issue.record("rejected"); return
        }
        #expect(after.isEmpty)
    }

    @Test func queryWithoutContactListsBindings() throws {
        var r = Registrar()
        _ = r.register(try register(contacts: ["<sip:bob@a>"]), aor: aor, now: 0)
        guard case .accepted(let list) = r.register(try register(contacts: [], cseq: 2), aor: aor, now: 1) else {
            Issue.record("rejected"); return
        }
        #expect(list.count == 1)
    }

    @Test func contactParameterStaysAHeaderParameter() throws {
        // RFC 4475 §3.3.12 (cparam01): unknownparam binds to the header, not the URI.
        var r = Registrar()
        guard case .accepted(let list) = r.register(try register(contacts: ["sip:+19725552222@gw1.example.net;unknownparam"]), aor: aor, now: 0) else {
            Issue.record("rejected"); return
        }
        #expect(list[0].contact.uri.sipURI?.parameters.isEmpty == true)
        #expect(Registrar.contactHeaderValues(list, now: 0) == ["<sip:+19725552222@gw1.example.net>;unknownparam;expires=3600"])
    }

    @Test func contactLimitPerAOR() throws {
        var r = Registrar(configuration: .init(maxContactsPerAOR: 2))
        let out = r.register(try register(contacts: ["<sip:bob@a>", "<sip:bob@b>", "<sip:bob@c>"]), aor: aor, now: 0)
        #expect(out == .rejected(status: 403, headers: []))
    }
}
