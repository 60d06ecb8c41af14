import Foundation
import FuzzCorpus
import Testing
@testable import SDP

/// Replays the SDP fuzz target's committed inputs (infra/fuzz/corpus/sdp: seeds;
/// infra/fuzz/regressions/sdp: every input that ever failed) with the properties
/// infra/fuzz/SDPFuzzTarget.swift checks.
@Suite struct FuzzCorpusTests {
    static func inputs() throws -> [(name: String, bytes: [UInt8])] { try fuzzCorpus("sdp") }

    @Test func corpusKeepsTheFuzzProperties() throws {
        let negotiator = OfferAnswer(profile: LocalMediaProfile(address: "203.0.113.5"))
        let origin = Origin(sessionID: 1, sessionVersion: 1, address: "203.0.113.5")
        let ourOffer = negotiator.makeOffer(origin: origin, port: 30000)
        let inputs = try Self.inputs()
        #expect(inputs.count >= 6)
        var negotiated = 0
        for (name, bytes) in inputs {
            guard let sdp = try? SessionDescription(parsing: String(decoding: bytes, as: UTF8.self)) else { continue }
            let again = try SessionDescription(parsing: sdp.serialized)
            #expect(again.serialized == sdp.serialized, "\(name)")
            var results: [NegotiatedAudio] = []
            if let (answer, audio) = try? negotiator.answer(to: sdp, origin: origin, port: 30000) {
                results.append(audio)
                #expect((try? SessionDescription(parsing: answer.serialized)) != nil, "\(name)")
            }
            if let audio = try? negotiator.accept(answer: sdp, to: ourOffer) { results.append(audio) }
            for audio in results {
                negotiated += 1
                #expect((1...65535).contains(audio.remotePort), "\(name)")
                #expect((1...65535).contains(audio.remoteRTCPPort), "\(name)")
                #expect(OfferAnswer.usablePtimes.contains(audio.remotePtime), "\(name)")
            }
        }
        #expect(negotiated >= 3)
    }

    @Test func crInsideALineIsRefused() throws {
        // Fuzz crash (regressions/sdp/crash-cr-inside-attribute-value): "a=ptime:20\r\r" at the end
        // kept "20\r" as the value, which serialized as "a=ptime:20\r\r\n" and parsed back as "20".
        let head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
        let trailing = try SessionDescription(parsing: head + "a=ptime:20\r\r")
        #expect(trailing.attributes == [SDPAttribute("ptime", "20")])
        #expect(throws: SDPParseError.self) { try SessionDescription(parsing: head + "a=x\ry\r\n") }
        #expect(throws: SDPParseError.self) { try SessionDescription(parsing: head + "s=a\u{0}b\r\n") }
        // A NUL-terminated body is still read (the NUL ends the body, it is not in a line).
        #expect(try SessionDescription(parsing: head + "a=sendrecv\r\n\u{0}").direction == .sendrecv)
    }
}
