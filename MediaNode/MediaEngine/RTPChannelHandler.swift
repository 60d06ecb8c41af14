import NIOCore

/// Inbound datagrams of a leg's RTP (or RTCP) socket, handed to the leg state on the same loop.
final class RTPChannelHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    enum Kind { case rtp, rtcp }

    let kind: Kind
    var state: LegState?

    init(kind: Kind) {
        self.kind = kind
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let state else { return }
        switch kind {
        case .rtp: state.receiveRTP(envelope.data, from: envelope.remoteAddress)
        case .rtcp: state.receiveRTCP(envelope.data, from: envelope.remoteAddress)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and similar per-datagram errors must not close the leg.
    }
}
