// libFuzzer entry point for SDP (built by infra/fuzz/run.sh sdp). Properties checked on every
// input: parsing never crashes; what parses serializes to text that parses to the same
// serialization; offer/answer never crashes, as an offer we answer and as an answer to our offer;
// whatever it negotiates has usable ports (RTP and RTCP 1...65535) and a usable ptime; our answer
// parses again.
import SDP

private let negotiator = OfferAnswer(profile: LocalMediaProfile(address: "203.0.113.5"))
private let origin = Origin(sessionID: 1, sessionVersion: 1, address: "203.0.113.5")
private let ourOffer = negotiator.makeOffer(origin: origin, port: 30000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let sdp = try? SessionDescription(parsing: text) else { return 0 }
    let serialized = sdp.serialized
    do {
        let again = try SessionDescription(parsing: serialized)
        if again.serialized != serialized { fatalError("serialization is not stable:\n\(serialized)\n---\n\(again.serialized)") }
    } catch {
        fatalError("serialized SDP no longer parses: \(error)\n\(serialized)")
    }
    if let (answer, audio) = try? negotiator.answer(to: sdp, origin: origin, port: 30000) {
        check(audio)
        if (try? SessionDescription(parsing: answer.serialized)) == nil { fatalError("our answer does not parse") }
    }
    if let audio = try? negotiator.accept(answer: sdp, to: ourOffer) { check(audio) }
    return 0
}

private func check(_ audio: NegotiatedAudio) {
    guard (1...65535).contains(audio.remotePort), (1...65535).contains(audio.remoteRTCPPort),
        OfferAnswer.usablePtimes.contains(audio.remotePtime)
    else { fatalError("unusable negotiation: \(audio)") }
}
