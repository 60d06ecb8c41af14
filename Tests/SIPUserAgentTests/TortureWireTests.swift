import Foundation
import NIOCore
import SIPAuth
import SIPMessage
import SIPTransport
import SIPUserAgent
import Testing

/// The RFC 4475 messages sent over UDP, one datagram each, to a running user agent: each is
/// answered as manifest.tsv says for a UAS (or dropped), and OPTIONS is still answered after it.
/// Responses go to the Via port 5060 of the packet source (RFC 3261 §18.2.2), so the sender binds
/// 127.a.b.c:5060 on a random loopback address (nothing leaves the machine).
@Suite("RFC 4475 on the wire", .serialized)
struct TortureWireTests {
    static let password = "torture-secret"

    struct Identity {
        var callID: String?
        var cseq: String?
    }

    static func identity(_ bytes: [UInt8]) -> Identity {
        let parser = SIPMessageParser()
        let message: SIPMessage? = bytes.withUnsafeBufferPointer { p in
            do throws(SIPParseError) { return try parser.parseUnvalidated(buffer: p, framing: .datagram) } catch { return error.partial }
        }
        return Identity(callID: message?.headers[.callID], cseq: message?.headers[.cseq])
    }

    /// What a UAS answers (nil: nothing, for responses and dropped messages).
    enum Expectation: Equatable { case status(Int), anyButBadRequest, nothing, registerAfterAuth }

    static func expectation(_ c: TortureCase, isRequest: Bool) -> Expectation {
        guard isRequest else { return .nothing }
        switch c.parserExpectation {
        case "reject":
            return c.expected.lowercased().contains("drop") ? .nothing : .status(c.expectedStatus ?? 400)
        case "accept":
            return .anyButBadRequest
        default:
            let text = c.expected
            if text.contains("after auth") { return .registerAfterAuth }
            // This element keeps RFC 2543 compatibility (the manifest asks to document the choice).
            if text.contains("document the choice") { return .anyButBadRequest }
            if let r = text.range(of: "endpoint/UAS:") {
                let tail = TortureCase(name: c.name, directory: c.directory, parserExpectation: c.parserExpectation,
                                       expected: String(text[r.upperBound...]), size: c.size, bytes: [])
                return tail.expectedStatus.map { .status($0) } ?? .anyButBadRequest
            }
            return c.expectedStatus.map { .status($0) } ?? .anyButBadRequest
        }
    }

    @Test func everyTortureMessageOverUDP() async throws {
        let cases = try TortureCorpus.load()
        let host = "127.\(Int.random(in: 1...250)).\(Int.random(in: 1...250)).\(Int.random(in: 2...250))"
        let peer: WirePeer
        do {
            // Responses go to the top Via's port (5060 unless it names one, like quotbal's 5050).
            let ports = Set(cases.compactMap { c -> Int? in
                let m = Self.lenientParse(c.bytes)
                return m.flatMap { try? $0.headers.topVia().port } ?? 5060
            })
            peer = try await WirePeer.udp(host: host, ports: [5060] + ports.subtracting([5060]).sorted())
        } catch {
            Issue.record("cannot bind \(host):5060 (and other Via ports) to receive Via-routed responses: \(error)")
            return
        }
        defer { Task { await peer.close() } }
        let store = StaticCredentialStore(users: [(username: "watson", realm: "example.com", password: Self.password)])
        let registrar = RegistrarSettings(credentials: store, realmForDomain: { $0 == "example.com" ? $0 : nil })
        try await withUserAgent(delegate: RecordingDelegate(rejectStatus: 486), registrar: registrar) { _, transport in
            var iterator = peer.received.makeAsyncIterator()
            let ua = transport.udpAddress
            for c in cases {
                let id = Self.identity(c.bytes)
                let isRequest = !c.bytes.starts(with: Array("SIP/".utf8))
                let expectation = Self.expectation(c, isRequest: isRequest)
                try await peer.send(c.bytes, to: ua)
                let probeID = "probe-\(c.name)-\(UUID().uuidString.prefix(6))"
                try await peer.send(optionsProbe(from: host, port: 5060, callID: probeID), to: ua)
                let timeoutMarker = Array("timeout \(probeID)".utf8)
                peer.deadline(timeoutMarker, after: .seconds(5))
                var answers: [SIPResponse] = []
                var probeAnswered = false
                // Read until the probe is answered and, when an answer is expected, that one too.
                while !(probeAnswered && (expectation == .nothing || !answers.isEmpty)) {
                    guard let bytes = await iterator.next() else { break }
                    if bytes == timeoutMarker {
                        Issue.record("\(c.name): no complete answer within 5 s")
                        break
                    }
                    // Error responses copy the request's faulty headers, so read them leniently.
                    guard case .response(let r)? = Self.lenientParse(bytes) else { continue }
                    let callID = r.headers[.callID]
                    if callID == probeID, r.statusCode == 200 { probeAnswered = true; continue }
                    let matches = id.callID != nil ? callID == id.callID : r.headers[.cseq] == id.cseq
                    if matches, r.statusCode >= 180 || r.statusCode == 100 { if r.statusCode != 100 { answers.append(r) } }
                }
                #expect(probeAnswered, "\(c.name): OPTIONS not answered afterwards")
                switch expectation {
                case .nothing:
                    #expect(answers.isEmpty, "\(c.name): expected no answer, got \(answers.map(\.statusCode))")
                case .status(let s):
                    #expect(answers.first?.statusCode == s, "\(c.name): expected \(s), got \(answers.map(\.statusCode))")
                case .anyButBadRequest:
                    #expect(answers.first.map { $0.statusCode != 400 } == true, "\(c.name): got \(answers.map(\.statusCode))")
                case .registerAfterAuth:
                    #expect(answers.first?.statusCode == 401, "\(c.name): \(answers.map(\.statusCode))")
                    if let challengeValue = answers.first?.headers[.wwwAuthenticate], let challenge = DigestChallenge(headerValue: challengeValue) {
                        let ok = try await Self.authenticatedRegister(c.bytes, challenge: challenge, peer: peer, ua: ua, iterator: &iterator)
                        #expect(ok?.statusCode == 200)
                        // RFC 4475 §3.3.12: unknownparam is a contact parameter, never a URI parameter.
                        if case .addresses(let contacts)? = try ok?.headers.contact(), let contact = contacts.first {
                            #expect(contact.uri.sipURI?.parameters.isEmpty == true)
                            #expect(contact.parameters.has("unknownparam"))
                        } else {
                            Issue.record("200 without Contact")
                        }
                    }
                }
                if c.name == "dblreq" {
                    #expect(answers.allSatisfy { (try? $0.headers.cseq().method) == .register }, "the trailing INVITE must be ignored")
                }
            }
        }
    }

    static func lenientParse(_ bytes: [UInt8]) -> SIPMessage? {
        bytes.withUnsafeBufferPointer { p in try? SIPMessageParser().parseUnvalidated(buffer: p, framing: .datagram) }
    }

    /// Re-sends the REGISTER as a phone would after a 401: new branch, next CSeq, Authorization.
    static func authenticatedRegister(_ bytes: [UInt8], challenge: DigestChallenge, peer: WirePeer, ua: SocketAddress,
                                      iterator: inout AsyncStream<[UInt8]>.Iterator) async throws -> SIPResponse? {
        guard var request = try SIPMessageParser().parse(bytes).request else { return nil }
        let cseq = try request.headers.cseq()
        request.headers.set(.cseq, CSeq(cseq.sequence + 1, .register).description)
        var via = try request.headers.topVia()
        via.parameters.set("branch", Via.magicCookie + "auth" + String(cseq.sequence))
        request.headers.set(.via, via.description)
        let credentials = DigestCredentials.answering(challenge, username: "watson", password: password, method: .register,
                                                      uri: request.uri.description, cnonce: "c0ffee", nonceCount: 1)
        request.headers.add(.authorization, credentials.headerValue)
        try await peer.send(request.serialized(), to: ua)
        let callID = try request.headers.callID()
        while let bytes = await iterator.next() {
            if case .response(let r)? = try? SIPMessageParser().parse(bytes), r.headers[.callID] == callID,
               (try? r.headers.cseq().sequence) == cseq.sequence + 1 {
                return r
            }
        }
        return nil
    }
}
