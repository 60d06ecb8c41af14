import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's rtpengine in userspace mode (`--table=-1`), driven over its ng control protocol
/// (bencoded offer/answer over UDP). CPU is the whole process from /proc/<pid>/stat.
final class RTPEngineRelay: RelayUnderTest {
    let name = "rtpengine"
    let process = Process()
    let ngPort: Int
    let socketFD: Int32
    var cookie = 0

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(threads: Int) throws {
        guard let path = ["/usr/bin/rtpengine", "/usr/sbin/rtpengine"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "rtpengine not installed (apt-get install rtpengine-daemon)")
        }
        ngPort = Int.random(in: 22000...22999)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [
            "--foreground", "--log-stderr", "--log-level=3", "--table=-1", "--interface=127.0.0.1",
            "--listen-ng=127.0.0.1:\(ngPort)", "--port-min=50000", "--port-max=59999", "--num-threads=\(threads)",
            "--timeout=120", "--delete-delay=0",
        ]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        socketFD = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Wait for the control socket to answer ping (the daemon takes a moment to start).
        for _ in 0..<50 {
            if let reply = try? command(["command": "ping"]), reply.contains("pong") { return }
        }
        process.terminate()
        throw Failure(description: "rtpengine did not answer ping on port \(ngPort)")
    }

    /// Bencodes a flat dictionary of strings (keys sorted, as bencode requires).
    static func bencode(_ dict: [String: String]) -> String {
        var out = "d"
        for key in dict.keys.sorted() {
            let value = dict[key]!
            out += "\(key.utf8.count):\(key)\(value.utf8.count):\(value)"
        }
        return out + "e"
    }

    func command(_ dict: [String: String]) throws -> String {
        cookie += 1
        let message = "\(cookie)_bench \(Self.bencode(dict))"
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(ngPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let sent = message.withCString { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(socketFD, text, strlen(text), 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent > 0 else { throw Failure(description: "ng send failed") }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(socketFD, &buffer, buffer.count, 0)
        guard n > 0 else { throw Failure(description: "ng: no reply") }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// The `m=audio` port of the SDP inside an ng reply.
    static func audioPort(inReply reply: String) throws -> Int {
        guard let m = reply.range(of: "m=audio ") else { throw Failure(description: "ng reply without SDP: \(reply.prefix(200))") }
        let digits = reply[m.upperBound...].prefix { $0.isNumber }
        guard let port = Int(digits) else { throw Failure(description: "bad m= line") }
        return port
    }

    static func sdp(port: Int, session: Int) -> String {
        "v=0\r\no=- \(session) 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio \(port) RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
    }

    func setUp(calls: [LoadGenerator.Endpoints]) async throws -> [LoadGenerator.Target] {
        var targets: [LoadGenerator.Target] = []
        for (call, endpoints) in calls.enumerated() {
            let (callerPort, agentPort) = (endpoints.callerPort, endpoints.agentPort)
            let callID = "bench-\(call)"
            // offer: caller's SDP in, SDP for the agent out (the port the agent sends to).
            let offer = try command(["command": "offer", "call-id": callID, "from-tag": "caller\(call)", "sdp": Self.sdp(port: callerPort, session: call)])
            let agentSendsTo = try Self.audioPort(inReply: offer)
            // answer: agent's SDP in, SDP for the caller out (the port the caller sends to).
            let answer = try command(["command": "answer", "call-id": callID, "from-tag": "caller\(call)", "to-tag": "agent\(call)", "sdp": Self.sdp(port: agentPort, session: call)])
            let callerSendsTo = try Self.audioPort(inReply: answer)
            targets.append(.init(callerSendsTo: callerSendsTo, agentSendsTo: agentSendsTo))
        }
        return targets
    }

    func cpuSeconds() async throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // Fields after the command name "(...)": state is field 3; utime/stime are 14/15.
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (Double(fields[11])! + Double(fields[12])!) / ticks
    }

    func tearDown() async throws {
        process.terminate()
        process.waitUntilExit()
        close(socketFD)
    }
}
