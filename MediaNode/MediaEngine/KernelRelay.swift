import CKernelRelay
import Logging
import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The in-kernel relay for plain bridged calls (`MediaNode/CKernelRelay`): a BPF program on the
/// media interfaces that rewrites and forwards a bridged leg's RTP without waking the engine,
/// as rtpengine's kernel module does. One per process (ports are unique per host), shared by
/// every engine in it; nil when the kernel or our privileges do not allow it, and then
/// everything is relayed by the packet loops as before.
///
/// Only a direction the engine could relay by rewriting headers alone is handed over (see
/// `LegState.offerToKernel`); the engine takes it back, with every counter, the moment that stops
/// being true or a packet the program does not recognise reaches the leg's socket.
final class KernelRelay: @unchecked Sendable {  // the handle is only used through map syscalls, safe from any thread
    private let handle: OpaquePointer
    private let attached = NIOLockedValueBox<Set<Int32>>([])

    private init(handle: OpaquePointer) { self.handle = handle }
    deinit { ckr_close(handle) }

    private static let shared = NIOLockedValueBox<Result<KernelRelay, OpenError>?>(nil)

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// The process's relay, attached to the interfaces `bindAddress` receives on (all of them for
    /// 0.0.0.0, loopback always).
    static func forEngine(bindAddress: String, logger: Logger) -> KernelRelay? {
        let result = shared.withLockedValue { shared -> Result<KernelRelay, OpenError> in
            if let shared { return shared }
            var message = [CChar](repeating: 0, count: 256)
            let opened: Result<KernelRelay, OpenError> =
                if let handle = ckr_open(&message, Int32(message.count)) {
                    .success(KernelRelay(handle: handle))
                } else {
                    .failure(OpenError(description: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
                }
            shared = opened
            return opened
        }
        switch result {
        case .failure(let error):
            logger.notice("in-kernel RTP relay unavailable; bridged calls are relayed by the packet loops", metadata: ["reason": "\(error)"])
            return nil
        case .success(let relay):
            for index in interfaces(for: bindAddress) { relay.attach(index, logger: logger) }
            return relay
        }
    }

    private static func interfaces(for bindAddress: String) -> [Int32] {
        var indexes = [Int32](repeating: 0, count: 64)
        let count = ckr_receiving_interfaces(ipv4(bindAddress) ?? 0, &indexes, Int32(indexes.count))
        return Array(indexes.prefix(Int(count)))
    }

    private func attach(_ index: Int32, logger: Logger) {
        attached.withLockedValue { attached in
            guard !attached.contains(index) else { return }
            let rc = ckr_attach(handle, index)
            if rc == 0 {
                attached.insert(index)
            } else {
                logger.notice("in-kernel RTP relay not attached", metadata: ["interface": "\(index)", "reason": "\(String(cString: strerror(-rc)))"])
            }
        }
    }

    func put(port: Int, _ entry: ckr_entry) -> Bool {
        withUnsafePointer(to: entry) { ckr_put(handle, UInt16(port), $0) } == 0
    }

    /// Takes `port`'s entry back; after this the kernel relays nothing for it.
    func take(port: Int) -> ckr_entry? {
        var entry = ckr_entry()
        return ckr_take(handle, UInt16(port), &entry) == 0 ? entry : nil
    }

    func peek(port: Int) -> ckr_entry? {
        var entry = ckr_entry()
        return ckr_peek(handle, UInt16(port), &entry) == 0 ? entry : nil
    }

    /// How a packet from `socket` to `destination` leaves: its source address and the interface
    /// it leaves by (0: this host). Nil for IPv6 or no route.
    static func route(from socket: MediaSocket, to destination: SocketAddress) -> (source: UInt32, interface: UInt32)? {
        guard case .v4(let target) = destination else { return nil }
        var source: UInt32 = 0
        var interface: UInt32 = 0
        let rc = ckr_route(socket.fd, target.address.sin_addr.s_addr, target.address.sin_port, &source, &interface)
        return rc == 0 ? (source, interface) : nil
    }

    static func ipv4(_ text: String) -> UInt32? {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1 ? address.s_addr : nil
    }
}
