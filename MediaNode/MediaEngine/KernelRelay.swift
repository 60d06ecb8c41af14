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
        var indexes: Set<Int32> = [ckr_interface_index("lo")]
        if let address = ipv4(bindAddress), address != 0 {
            indexes.insert(ckr_interface_of(address))
        } else {
            var list: UnsafeMutablePointer<ifaddrs>?
            if getifaddrs(&list) == 0 {
                var next = list
                while let entry = next {
                    if let name = entry.pointee.ifa_name, entry.pointee.ifa_flags & UInt32(IFF_UP) != 0 {
                        indexes.insert(ckr_interface_index(name))
                    }
                    next = entry.pointee.ifa_next
                }
                freeifaddrs(list)
            }
        }
        return indexes.filter { $0 > 0 }.sorted()
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

    /// How `destination` is reached from `source` (a leg's bound address, possibly 0.0.0.0): the
    /// source address the kernel would choose, and the interface to leave by (0: this host).
    static func route(to destination: SocketAddress, from bound: SocketAddress) -> (source: UInt32, interface: UInt32)? {
        guard case .v4(let target) = destination, case .v4(let local) = bound else { return nil }
        let destinationAddress = target.address.sin_addr.s_addr
        var source = local.address.sin_addr.s_addr
        if source == 0 {
            // The address a connected UDP socket would send from.
            let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard probe >= 0 else { return nil }
            defer { close(probe) }
            var to = target.address
            let connected = withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return nil }
            var name = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &name) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) }
            }
            guard named == 0 else { return nil }
            source = name.sin_addr.s_addr
        }
        if ckr_is_local(destinationAddress) == 1 { return (source, 0) }
        let interface = ckr_interface_of(source)
        return interface > 0 ? (source, UInt32(interface)) : nil
    }

    static func ipv4(_ text: String) -> UInt32? {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1 ? address.s_addr : nil
    }
}
