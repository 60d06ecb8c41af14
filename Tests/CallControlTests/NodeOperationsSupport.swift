import Foundation
import NIOPosix
import NodeTestSupport
import SIPMessage
import SIPUserAgent
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `media-node` process as operations see it: its admin listener and SIP port.
struct OperatedNode {
    let process: LineProcess
    let adminPort: Int
    let sipPort: Int

    /// Starts the node against `url` and waits for its admin listener; `searchPath` replaces its PATH.
    static func launch(url: URL, dir: String, rtpPorts: String, drainSeconds: Int = 5, searchPath: String? = nil) async throws -> OperatedNode {
        let sipPort = freeUDPPort()
        let process: LineProcess
        if let searchPath {
            process = try LineProcess("/usr/bin/env", [
                "PATH=\(searchPath)", try mediaNodeExecutable(), "serve", "--control-plane-url", url.absoluteString,
                "--bootstrap-token", FakeControlPlane.bootstrapToken, "--sip-listen", "127.0.0.1:\(sipPort)", "--rtp-ports", rtpPorts,
                "--data-dir", dir, "--name", "operations-test", "--drain-seconds", "\(drainSeconds)", "--admin-listen", "127.0.0.1:0",
            ])
        } else {
            process = try launchMediaNode(controlPlaneURL: url.absoluteString, bootstrapToken: FakeControlPlane.bootstrapToken,
                                          sipPort: sipPort, rtpPorts: rtpPorts, dataDirectory: dir, name: "operations-test",
                                          drainSeconds: drainSeconds)
        }
        let line = try await process.waitForLineContaining("admin listening", timeout: .seconds(30))
        guard let range = line.range(of: "admin=http://127.0.0.1:"),
              let port = Int(line[range.upperBound...].prefix { $0.isNumber }) else {
            throw OperationsTestFailure("no admin port in \(line)")
        }
        return OperatedNode(process: process, adminPort: port, sipPort: sipPort)
    }

    func get(_ path: String) async throws -> HTTPReply { try await httpGet(port: adminPort, path: path) }

    /// Polls `path` until `done` holds for the reply (every 100 ms, until `timeout`); returns the last reply.
    func poll(_ path: String, timeout: Duration = .seconds(20), until done: @Sendable (HTTPReply) -> Bool) async throws -> HTTPReply {
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try await get(path)
            if done(reply) || ContinuousClock.now >= deadline { return reply }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls `/metrics` until the sample `series` has `value`; returns the last scrape.
    func pollMetric(_ series: String, equals value: Double, timeout: Duration = .seconds(20)) async throws -> HTTPReply {
        try await poll("/metrics", timeout: timeout) { $0.sample(series) == value }
    }

    /// Waits up to `limit` for the process to exit; SIGKILLs it when it does not. Returns the
    /// status and how long it took, or nil when it had to be killed.
    func exit(within limit: Duration) async -> (status: Int32, elapsed: Duration)? {
        let start = ContinuousClock.now
        let process = self.process
        return await withTaskGroup(of: (Int32, Duration)?.self) { group in
            group.addTask { let status = await process.exitStatus(); return (status, ContinuousClock.now - start) }
            group.addTask { try? await Task.sleep(for: limit); return nil }
            let first = await group.next() ?? nil
            if first == nil { process.signal(SIGKILL) }
            group.cancelAll()
            await group.waitForAll()
            return first
        }
    }
}

struct OperationsTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct HTTPReply: Sendable {
    var status: Int
    var body: String

    /// The value of an unlabelled Prometheus sample `name` (or `name{labels}`), if present.
    func sample(_ name: String) -> Double? {
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == name { return Double(parts[1]) }
        }
        return nil
    }
}

/// GET over a plain TCP socket (HTTP/1.1, Connection: close), on NIO's blocking pool.
func httpGet(port: Int, path: String) async throws -> HTTPReply {
    try await NIOThreadPool.singleton.runIfActive {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw OperationsTestFailure("cannot connect to 127.0.0.1:\(port)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { throw OperationsTestFailure("send failed") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let head = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
            throw OperationsTestFailure("not an HTTP reply: \(text.prefix(200))")
        }
        return HTTPReply(status: status, body: String(text[head.upperBound...]))
    }
}

/// Sends OPTIONS to 127.0.0.1:`port` over UDP and returns the status and Retry-After (three tries).
func sipOptions(port: Int) async throws -> (status: Int, retryAfter: String?) {
    try await NIOThreadPool.singleton.runIfActive {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let localPort = Int(UInt16(bigEndian: local.sin_port))
        let token = UUID().uuidString.lowercased()
        let message = Array(("OPTIONS sip:127.0.0.1:\(port) SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:\(localPort);branch=z9hG4bK\(token);rport\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:monitor@127.0.0.1>;tag=\(token.prefix(8))\r\nTo: <sip:127.0.0.1:\(port)>\r\n"
            + "Call-ID: \(token)\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").utf8)
        var destination = loopback(port: port)
        for _ in 0..<3 {
            _ = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, message, message.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { continue }
            let text = String(decoding: buffer[0..<n], as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n")
            guard let status = Int(lines[0].split(separator: " ").dropFirst().first ?? "") else { continue }
            let retryAfter = lines.first { $0.lowercased().hasPrefix("retry-after:") }
                .map { String($0.dropFirst("retry-after:".count)).trimmingCharacters(in: .whitespaces) }
            return (status, retryAfter)
        }
        throw OperationsTestFailure("no answer to OPTIONS on port \(port)")
    }
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A caller that refuses calls to itself.
struct RefusingDelegate: SIPUserAgentDelegate {
    func incomingCall(_ call: SIPCall, offer: SessionBody?) async -> SIPCallDecision { .reject(status: 486) }
}

/// An SDP offer for G.711 μ-law from 127.0.0.1 (nothing listens on the port: the test needs the call, not its audio).
let plainOffer = SessionBody(sdp: "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    + "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n")
