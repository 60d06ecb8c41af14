#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as bytes (4 for IPv4, 16 for IPv6), parsed the way the socket layer would read
/// it — which is what matters for SSRF: `2130706433`, `0x7f000001`, `0177.1` and `127.1` all
/// reach 127.0.0.1 through `inet_aton`, so they are addresses here too, never host names.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// A literal host: IPv6 in brackets or not, or any IPv4 form `inet_aton` accepts.
    public init?(literal text: String) {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let zone = host.firstIndex(of: "%") { host = String(host[..<zone]) }  // fe80::1%eth0
        guard !host.isEmpty, host.utf8.count <= 64 else { return nil }
        if host.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, host, &storage) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
            return
        }
        // inet_aton: decimal, octal (leading 0) and hex (0x) parts, 1 to 4 of them.
        guard host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }) else { return nil }
        var storage = in_addr()
        guard inet_aton(host, &storage) != 0 else { return nil }
        self.bytes = withUnsafeBytes(of: &storage) { Array($0) }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any.
    public var embeddedIPv4: IPAddress? {
        guard !isIPv4 else { return nil }
        let b = bytes
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return IPAddress(bytes: Array(b[12..<16])) }  // ::ffff:0:0/96
        if b[0..<12].allSatisfy({ $0 == 0 }), !b[12..<16].allSatisfy({ $0 == 0 }), Array(b[12..<16]) != [0, 0, 0, 1] {
            return IPAddress(bytes: Array(b[12..<16]))  // ::a.b.c.d (deprecated IPv4-compatible)
        }
        if Array(b[0...11]) == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return IPAddress(bytes: Array(b[12..<16])) }  // 64:ff9b::/96
        if b[0] == 0x20, b[1] == 0x02 { return IPAddress(bytes: Array(b[2..<6])) }  // 2002::/16 6to4
        return nil
    }
}

/// A network in CIDR form (`10.0.0.0/8`, `fc00::/7`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let address = IPAddress(literal: first) else { return nil }
        let maximum = address.bytes.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else { return nil }
        self.address = address
        self.prefixLength = length
    }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, other.bytes) where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if a & mask != b & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPAddress {
    /// Networks no tenant-aimed request may reach: this host, private and shared networks, link-local
    /// (cloud metadata at 169.254.169.254), multicast, broadcast, reserved, and IPv6 forms that
    /// tunnel to somewhere else (Teredo). Carried IPv4 addresses (mapped, NAT64, 6to4) are checked
    /// as IPv4.
    static let internalNetworks: [(IPNetwork, String)] = [
        ("0.0.0.0/8", "this network"), ("10.0.0.0/8", "private network (RFC 1918)"), ("100.64.0.0/10", "carrier-grade NAT (RFC 6598)"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local (cloud metadata)"), ("172.16.0.0/12", "private network (RFC 1918)"),
        ("192.0.0.0/24", "IETF protocol assignments"), ("192.168.0.0/16", "private network (RFC 1918)"),
        ("198.18.0.0/15", "benchmarking network"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("100::/64", "discard prefix"), ("2001::/32", "Teredo tunnel"),
        ("fc00::/7", "unique local (ULA)"), ("fe80::/10", "link-local"), ("ff00::/8", "multicast"),
    ].compactMap { text, why in IPNetwork(text).map { ($0, why) } }

    /// Why a request must not go to this address, or nil when it is a public address.
    public var internalReason: String? {
        if let carried = embeddedIPv4 { return carried.internalReason.map { "\($0), carried in \(self)" } }
        return Self.internalNetworks.first { $0.0.contains(self) }?.1
    }
}
