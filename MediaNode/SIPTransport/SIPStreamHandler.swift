import NIOCore
import SIPMessage

/// Frames SIP over a byte stream (RFC 3261 §18.3): Content-Length delimits each message, CRLF
/// keep-alives are answered (RFC 5626 §3.5.1), and lost framing closes the connection.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let parser: SIPMessageParser
    private let framer: SIPStreamFramer
    private let sourceGuard: SIPSourceGuard
    private let inbound: @Sendable (SIPInbound) -> Void
    private var buffer: ByteBuffer?

    init(parser: SIPMessageParser, sourceGuard: SIPSourceGuard, inbound: @escaping @Sendable (SIPInbound) -> Void) {
        self.parser = parser
        self.sourceGuard = sourceGuard
        self.framer = SIPStreamFramer(configuration: parser.configuration)
        self.inbound = inbound
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        guard let remote = context.channel.remoteAddress, let local = context.channel.localAddress else { return }
        while var current = buffer, current.readableBytes > 0 {
            let frame: Result<SIPStreamFramer.Frame, SIPParseError> = current.withUnsafeReadableBytes { raw in
                do throws(SIPParseError) {
                    return .success(try framer.nextFrame(raw.assumingMemoryBound(to: UInt8.self)))
                } catch {
                    return .failure(error)
                }
            }
            switch frame {
            case .success(.needMoreData):
                buffer = current
                return
            case .success(.keepAlive(let count, let isPing)):
                current.moveReaderIndex(forwardBy: count)
                buffer = current
                if isPing {
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\r\n")), promise: nil)
                }
            case .success(.message(let length)):
                guard let slice = current.readSlice(length: length) else { return }
                buffer = current
                // A banned or flooding source: close the connection, read nothing more.
                guard slice.withUnsafeReadableBytes({ sourceGuard.admit(remote, firstBytes: $0) }) else {
                    buffer = nil
                    context.close(promise: nil)
                    return
                }
                deliver(slice, context: context, remote: remote, local: local)
            case .failure(let error):
                // Framing is unrecoverable: answer if we can, then close (RFC 3261 §18.3).
                answerAndClose(current, error: error, context: context, remote: remote)
                buffer = nil
                return
            }
        }
        buffer = nil
    }

    private func deliver(_ slice: ByteBuffer, context: ChannelHandlerContext, remote: SocketAddress, local: SocketAddress) {
        let result: Result<SIPMessage, SIPParseError> = slice.withUnsafeReadableBytes { raw in
            do throws(SIPParseError) {
                return .success(try parser.parse(buffer: raw.assumingMemoryBound(to: UInt8.self), framing: .stream))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(.request(var request)):
            ResponseRouting.stamp(&request, source: remote)
            inbound(SIPInbound(message: .request(request), source: SIPEndpoint(.tcp, remote), local: SIPEndpoint(.tcp, local)))
        case .success(.response(let response)):
            inbound(SIPInbound(message: .response(response), source: SIPEndpoint(.tcp, remote), local: SIPEndpoint(.tcp, local)))
        case .failure(let error):
            guard case .request(let partial)? = error.partial, partial.method != .ack, partial.headers.contains(.via) else { return }
            let response = StatelessResponder.errorResponse(for: partial, error: error)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: response.serialized())), promise: nil)
        }
    }

    private func answerAndClose(_ data: ByteBuffer, error: SIPParseError, context: ChannelHandlerContext, remote: SocketAddress) {
        let partial: SIPMessage? = data.withUnsafeReadableBytes { raw in
            // Read what headers there are to address a 400; framing does not matter any more.
            do throws(SIPParseError) {
                return try parser.parseUnvalidated(buffer: raw.assumingMemoryBound(to: UInt8.self), framing: .datagram)
            } catch {
                return error.partial
            }
        }
        if case .request(let request)? = partial, request.method != .ack, request.headers.contains(.via) {
            let response = StatelessResponder.errorResponse(for: request, error: error)
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: response.serialized())), promise: nil)
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // An incomplete message that stops growing (RFC 4475 §3.1.2.2 on TCP): give up on the connection.
        if event is IdleStateHandler.IdleStateEvent {
            if let buffer, buffer.readableBytes > 0 { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
