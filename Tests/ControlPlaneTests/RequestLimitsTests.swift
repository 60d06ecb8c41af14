import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The control plane bounds what a client may send: body size per operation, how long a body may
/// take, and connections that send half a request and wait (slowloris).
@Suite("request limits")
struct RequestLimitsTests {
    @Test("a 1 MB login body is refused with 413 problem+json naming the limit (it used to be read whole)")
    func oversizedBody() async throws {
        try await ControlPlaneHarness.run { h in
            let huge = String(repeating: "x", count: 1_000_000)
            let reply = try await h.call(.post, "/v1/auth/login", json: ["email": "a@b.test", "password": huge])
            #expect(reply.status == 413)
            #expect(reply.contentType == "application/problem+json")
            #expect((reply["detail"] as? String)?.contains("16384") == true, "\(reply.object)")
            // Within the limit the same route works as before.
            let (_, _, email) = try await h.signup("acme")
            #expect(try await h.call(.post, "/v1/auth/login", json: ["tenant": "acme", "email": email, "password": "correct-horse-battery"]).status == 200)
        }
    }

    @Test("a declared Content-Length over the limit is refused before the body is read")
    func declaredLength() async throws {
        try await ControlPlaneHarness.run { h in
            let port = try #require(h.client.port)
            let socket = try RawConnection(port: port)
            socket.send("POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{")
            let answer = await socket.read(until: "\r\n\r\n", seconds: 5)
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(80))")
        }
    }

    @Test("a body that trickles in is cut off with 408 after the body deadline")
    func slowBody() async throws {
        try await ControlPlaneHarness.run(configure: { $0.bodyDeadline = .seconds(1) }) { h in
            let port = try #require(h.client.port)
            let socket = try RawConnection(port: port)
            socket.send("POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ten")
            let answer = await socket.read(until: "\r\n\r\n", seconds: 5)
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(80))")
        }
    }

    @Test("a connection that sends half a request line and waits is closed after the idle timeout (slowloris)")
    func slowHeaders() async throws {
        try await ControlPlaneHarness.run(configure: { $0.idleTimeout = .seconds(1) }) { h in
            let port = try #require(h.client.port)
            let socket = try RawConnection(port: port)
            socket.send("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            let started = ContinuousClock.now
            let closed = await socket.waitForClose(seconds: 5)
            #expect(closed, "the server kept the half-sent request open")
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }
}

/// A blocking TCP connection to 127.0.0.1 for wire-level tests (reads wait with poll and a deadline).
final class RawConnection: @unchecked Sendable {  // used by one test at a time, from one task
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw HarnessError("connect failed: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Reads until `marker` arrives, the peer closes, or the deadline passes — on a Dispatch thread,
    /// never blocking the concurrency pool the in-process server's handlers run on.
    func read(until marker: String, seconds: Double) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingRead(until: marker, seconds: seconds)) }
        }
    }

    /// True when the peer closes the connection before the deadline (waited for on a Dispatch thread).
    func waitForClose(seconds: Double) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingWaitForClose(seconds: seconds)) }
        }
    }

    private func blockingRead(until marker: String, seconds: Double) -> String {
        var text = ""
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !text.contains(marker), ContinuousClock.now < deadline {
            guard let chunk = readChunk(timeoutMs: 100) else { break }
            text += chunk
        }
        return text
    }

    private func blockingWaitForClose(seconds: Double) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if readChunk(timeoutMs: 100) == nil { return true }
        }
        return false
    }

    /// nil: closed (or an error); "": nothing within the timeout.
    private func readChunk(timeoutMs: Int32) -> String? {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMs) > 0 else { return "" }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}
