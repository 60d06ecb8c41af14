import CMediaIO
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket (a leg's RTP or RTCP) served by a `MediaEventLoop`. Confined to
/// that loop after `open`: datagrams arrive in `onDatagram`, `send` is one sendto.
final class MediaSocket {
    let fd: Int32
    let localPort: Int
    let loop: MediaEventLoop
    let allocator = ByteBufferAllocator()
    var token: Int?
    /// Called on the loop for each datagram with its source. The buffer is the socket's own,
    /// lent for the call: the handler may rewrite it in place; one it keeps is copied on the
    /// socket's next read (ByteBuffer is copy-on-write).
    var onDatagram: ((inout ByteBuffer, SocketAddress) -> Void)?
    private var receiveBuffer: ByteBuffer
    private(set) var isOpen = true

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// Binds `address` and registers with `loop`; call on the loop.
    init(binding address: SocketAddress, on loop: MediaEventLoop, receiveBufferBytes: Int) throws {
        let fd = address.withSockAddr { pointer, length in cmio_udp_open(pointer, socklen_t(length), Int32(receiveBufferBytes)) }
        guard fd >= 0 else { throw OpenError(description: "bind \(address): \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.localPort = Int(cmio_local_port(fd))
        self.loop = loop
        receiveBuffer = allocator.buffer(capacity: 2048)
        do { try loop.register(self) } catch {
            cmio_close(fd)
            throw error
        }
    }

    /// Reads one datagram per readiness: epoll is level-triggered, so what is left is reported
    /// again in the next round, and no recvfrom is spent learning that the socket is empty (at
    /// 50 packets/s per leg it almost always is).
    func readable() {
        var storage = sockaddr_storage()
        var length: Int32 = -1
        receiveBuffer.clear()
        receiveBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2048) { bytes in
            var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            length = cmio_receive(fd, bytes.baseAddress, Int32(bytes.count), &storage, &addressLength)
            return max(0, Int(length))
        }
        guard length >= 0, let source = Self.address(storage) else { return }
        onDatagram?(&receiveBuffer, source)
    }

    /// One sendto. A datagram the kernel does not take (full send buffer, ICMP error) is dropped, as UDP does.
    func send(_ buffer: ByteBuffer, to address: SocketAddress) {
        guard isOpen else { return }
        _ = buffer.withUnsafeReadableBytes { bytes in
            address.withSockAddr { pointer, length in cmio_send(fd, bytes.baseAddress, Int32(bytes.count), pointer, socklen_t(length)) }
        }
    }

    /// Deregisters and closes; call on the loop.
    func close() {
        guard isOpen else { return }
        loop.deregister(self)
        closeFromLoop()
    }

    /// Closes without deregistering (the loop is shutting down).
    func closeFromLoop() {
        guard isOpen else { return }
        isOpen = false
        onDatagram = nil
        cmio_close(fd)
    }

    static func address(_ storage: sockaddr_storage) -> SocketAddress? {
        switch Int32(storage.ss_family) {
        case AF_INET: withUnsafeBytes(of: storage) { SocketAddress($0.load(as: sockaddr_in.self), host: "") }
        case AF_INET6: withUnsafeBytes(of: storage) { SocketAddress($0.load(as: sockaddr_in6.self), host: "") }
        default: nil
        }
    }
}
