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
        // Typed views must not crash either.
        let h = message.headers
        _ = try? h.vias()
        _ = try? h.contact()
        _ = try? h.routes()
        _ = try? h.from().uri.sipURI?.addressOfRecord
    }
    return 0
}
