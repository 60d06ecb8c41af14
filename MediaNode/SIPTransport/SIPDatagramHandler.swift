import NIOCore
import SIPMessage

/// One SIP message per UDP datagram (RFC 3261 §18.3). Drops what the source policy refuses
/// (a banned or flooding source) before parsing; parses, stamps Via, hands requests and
/// responses up; answers unparseable requests statelessly (400/505/513) and drops bad responses.
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let parser: SIPMessageParser
    private let sourceGuard: SIPSourceGuard
    private let inbound: @Sendable (SIPInbound) -> Void

    init(parser: SIPMessageParser, sourceGuard: SIPSourceGuard, inbound: @escaping @Sendable (SIPInbound) -> Void) {
        self.parser = parser
        self.sourceGuard = sourceGuard
        self.inbound = inbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let source = envelope.remoteAddress
        guard let localAddress = context.channel.localAddress else { return }
        // CRLF keep-alives carry no message (RFC 5626 §4.4.1 uses STUN on UDP; tolerate CRLF).
        if envelope.data.readableBytesView.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) { return }
        guard envelope.data.withUnsafeReadableBytes({ sourceGuard.admit(source, firstBytes: $0) }) else { return }
        let result: Result<SIPMessage, SIPParseError> = envelope.data.withUnsafeReadableBytes { raw in
            let bytes = raw.assumingMemoryBound(to: UInt8.self)
            do throws(SIPParseError) {
                return .success(try parser.parse(buffer: bytes, framing: .datagram))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(.request(var request)):
            ResponseRouting.stamp(&request, source: source)
            inbound(SIPInbound(message: .request(request), source: SIPEndpoint(.udp, source), local: SIPEndpoint(.udp, localAddress)))
        case .success(.response(let response)):
            inbound(SIPInbound(message: .response(response), source: SIPEndpoint(.udp, source), local: SIPEndpoint(.udp, localAddress)))
        case .failure(let error):
            SIPSourceMetrics.rejected(.malformed)
            guard case .request(var partial)? = error.partial, partial.method != .ack else { return } // never answer ACK
            guard partial.headers.contains(.via) else { return }
            ResponseRouting.stamp(&partial, source: source)
            let response = StatelessResponder.errorResponse(for: partial, error: error)
            let dest = ResponseRouting.destination(for: response, transport: .udp, requestSource: source)
            var buffer = context.channel.allocator.buffer(capacity: 512)
            buffer.writeBytes(response.serialized())
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: dest.address, data: buffer)), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors and the like on an unconnected UDP socket are not fatal.
    }
}

/// Builds the one stateless error response for a request the parser rejected.
enum StatelessResponder {
    static func errorResponse(for request: SIPRequest, error: SIPParseError) -> SIPResponse {
        var r = SIPResponse(answering: request, statusCode: error.statusCode, reasonPhrase: error.reasonPhrase, toTag: "err\(UInt32.random(in: 1...UInt32.max))")
        r.headers.add(.server, "callcenter-sip")
        return r
    }
}
