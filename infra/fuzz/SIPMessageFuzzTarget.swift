// libFuzzer entry point for the SIP message parser (built by infra/fuzz/run.sh sip-message).
// Properties checked on every input: parsing never crashes (datagram and stream framing), the
// stream framer never crashes, and anything that parses re-parses after serialization.
import SIPMessage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let parser = SIPMessageParser(configuration: .init(maxMessageSize: 65_535, maxHeaderCount: 256, maxHeaderLength: 16_384))
    _ = try? SIPStreamFramer().nextFrame(bytes)
    _ = try? parser.parse(buffer: bytes, framing: .stream)
    if let message = try? parser.parse(buffer: bytes, framing: .datagram) {
        let again = message.serialized()
        do {
            _ = try parser.parse(again, framing: .datagram)
        } catch {
            fatalError("serialized message no longer parses: \(error)")
        }
        // Typed views must not crash either, and the numbers they give are in range.
        let h = message.headers
        for via in (try? h.vias()) ?? [] { checkPort(via.port, "Via") }
        if case .addresses(let contacts)? = try? h.contact() {
            for c in contacts { checkPort(c.uri.sipURI?.port, "Contact") }
        }
        for r in ((try? h.routes()) ?? []) + ((try? h.recordRoutes()) ?? []) { checkPort(r.uri.sipURI?.port, "Route") }
        if let from = try? h.from() {
            _ = from.uri.sipURI?.addressOfRecord
            if let uri = from.uri.sipURI, !uri.isEquivalent(to: uri) { fatalError("URI not equivalent to itself") }
        }
        _ = try? h.to()
        _ = try? h.callID()
        _ = try? h.cseq()
        _ = try? h.expires()
        if let mf = try? h.maxForwards(), !(0...255).contains(mf) { fatalError("Max-Forwards \(mf)") }
        if let cl = try? h.contentLength(), cl < 0 { fatalError("Content-Length \(cl)") }
    }
    return 0
}

private func checkPort(_ port: Int?, _ header: String) {
    if let port, !(0...65535).contains(port) { fatalError("\(header) port \(port)") }
}
