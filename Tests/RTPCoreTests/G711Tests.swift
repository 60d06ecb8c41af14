import Testing
import Foundation
@testable import RTPCore

/// Every 16-bit input and every 8-bit code, bit-exact against sox's G.711 (sox -D: no dither).
@Suite struct G711Tests {
    static let everyLinear: [Int16] = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }

    @Test func ulawEncodingMatchesSoxOnEveryInput() throws {
        let reference = try ExternalTool.run("sox", ["-D"] + Sox.raw16 + ["-", "-t", "raw", "-e", "u-law", "-b", "8", "-"],
                                             stdin: Sox.bytes(Self.everyLinear))
        #expect(reference.count == 65536)
        let ours = AudioEncoding.ulaw.encode(Self.everyLinear)
        let mismatches = zip(ours, reference).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(mismatches.isEmpty, "first mismatch: \(mismatches.first.map { "\(Self.everyLinear[$0.offset]) -> ours \($0.element.0) sox \($0.element.1)" } ?? "")")
    }

    @Test func alawEncodingMatchesSoxOnEveryInput() throws {
        let reference = try ExternalTool.run("sox", ["-D"] + Sox.raw16 + ["-", "-t", "raw", "-e", "a-law", "-b", "8", "-"],
                                             stdin: Sox.bytes(Self.everyLinear))
        #expect(reference.count == 65536)
        let ours = AudioEncoding.alaw.encode(Self.everyLinear)
        let mismatches = zip(ours, reference).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(mismatches.isEmpty, "first mismatch: \(mismatches.first.map { "\(Self.everyLinear[$0.offset]) -> ours \($0.element.0) sox \($0.element.1)" } ?? "")")
    }

    @Test(arguments: [("u-law", AudioEncoding.ulaw), ("a-law", AudioEncoding.alaw)])
    func decodingMatchesSoxOnEveryCode(soxName: String, encoding: AudioEncoding) throws {
        let codes = (0...255).map { UInt8($0) }
        let reference = Sox.samples(try ExternalTool.run(
            "sox", ["-t", "raw", "-r", "8000", "-e", soxName, "-b", "8", "-c", "1", "-", "-t", "raw", "-e", "signed", "-b", "16", "-"],
            stdin: codes))
        #expect(reference == encoding.decode(codes))
    }

    @Test func silenceAndRoundTripIdempotence() {
        #expect(G711.linear(fromULaw: G711.ulawSilence) == 0)
        #expect(abs(Int(G711.linear(fromALaw: G711.alawSilence))) <= 8)
        // Decoding then re-encoding any code gives the same code (except μ-law's two zeros).
        for code in 0...255 {
            let u = UInt8(code)
            let back = G711.ulaw(fromLinear: G711.linear(fromULaw: u))
            #expect(back == u || (u == 0x7F && back == 0xFF))
            #expect(G711.alaw(fromLinear: G711.linear(fromALaw: u)) == u)
        }
    }
}
