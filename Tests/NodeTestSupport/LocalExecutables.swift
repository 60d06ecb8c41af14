import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `media-node` executable built next to the test bundle (`swift build` builds it);
/// `CC_MEDIA_NODE_EXECUTABLE` names another build (e.g. a release one, to measure CPU figures).
package func mediaNodeExecutable() throws -> String {
    if let path = ProcessInfo.processInfo.environment["CC_MEDIA_NODE_EXECUTABLE"], !path.isEmpty { return path }
    return try localExecutable("media-node")
}

/// The `control-plane` executable built next to the tests.
package func controlPlaneExecutable() throws -> String {
    try localExecutable("control-plane")
}

package func localExecutable(_ name: String) throws -> String {
    var dir = Bundle.main.bundleURL
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent(name).path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    throw MissingExecutable(name: name)
}

package struct MissingExecutable: Error, CustomStringConvertible {
    var name: String
    package var description: String { "\(name) not built next to the tests (swift build builds it)" }
}

/// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
package func freeUDPPort() -> Int { freePort(type: Int32(SOCK_DGRAM.rawValue)) }

/// A TCP port on 127.0.0.1 that was free a moment ago.
package func freeTCPPort() -> Int { freePort(type: Int32(SOCK_STREAM.rawValue)) }

private func freePort(type: Int32) -> Int {
    let fd = socket(AF_INET, type, 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Starts `media-node serve` against a control plane on 127.0.0.1 (SIP on UDP/TCP `sipPort`; the
/// admin listener on an ephemeral port by default, logged as "admin listening admin=http://…").
package func launchMediaNode(controlPlaneURL: String, bootstrapToken: String?, sipPort: Int, rtpPorts: String,
                             dataDirectory: String, name: String, drainSeconds: Int = 2,
                             adminListen: String = "127.0.0.1:0") throws -> LineProcess {
    var arguments = ["serve", "--control-plane-url", controlPlaneURL, "--sip-listen", "127.0.0.1:\(sipPort)",
                     "--rtp-ports", rtpPorts, "--data-dir", dataDirectory, "--name", name, "--drain-seconds", "\(drainSeconds)",
                     "--admin-listen", adminListen]
    if let bootstrapToken { arguments += ["--bootstrap-token", bootstrapToken] }
    return try LineProcess(try mediaNodeExecutable(), arguments)
}
