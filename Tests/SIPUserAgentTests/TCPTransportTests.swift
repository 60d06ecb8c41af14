import Foundation
import NIOCore
import SIPMessage
import SIPUserAgent
import Testing

/// SIP over a real TCP connection (RFC 3261 §18.3, RFC 5626 §3.5.1).
@Suite("TCP transport")
struct TCPTransportTests {
    /// Reads framed messages (and bare CRLF pongs) from a stream peer.
    struct StreamReader {
        var iterator: AsyncStream<[UInt8]>.Iterator
        var buffer: [UInt8] = []

        init(_ peer: WirePeer) { iterator = peer.received.makeAsyncIterator() }

        mutating func nextResponse() async -> SIPResponse? {
            while true {
                let frame = buffer.withUnsafeBufferPointer { p in try? SIPStreamFramer().nextFrame(p) }
                switch frame {
                case .message(let length)?:
                    let bytes = Array(buffer[0..<length])
                    buffer.removeFirst(length)
                    return try? SIPMessageParser().parse(bytes, framing: .stream).response
                case .keepAlive(let count, _)?:
                    buffer.removeFirst(count)
                    continue
                default:
                    guard let chunk = await iterator.next() else { return nil }
                    buffer += chunk
                }
            }
        }

        /// Collects raw bytes until `count` are available (nil if the connection closed first).
        mutating func nextBytes(_ count: Int) async -> [UInt8]? {
            while buffer.count < count {
                guard let chunk = await iterator.next() else { return nil }
                buffer += chunk
            }
            defer { buffer.removeFirst(count) }
            return Array(buffer[0..<count])
        }

        /// True once the server closed the connection.
        mutating func closed() async -> Bool {
            while let chunk = await iterator.next() { buffer += chunk }
            return true
        }
    }

    @Test func framingReuseAndKeepAlive() async throws {
        try await withUserAgent(delegate: RecordingDelegate()) { _, transport in
            let peer = try await WirePeer.tcp(to: transport.tcpAddress!)
            let local = peer.channel.localAddress!
            var reader = StreamReader(peer)
            func probe(_ id: String) -> [UInt8] {
                optionsProbe(from: "127.0.0.1", port: local.port!, callID: id, transport: "TCP")
            }
            // RFC 5626 §3.5.1: a double-CRLF ping is answered with a single CRLF pong.
            try await peer.write(Array("\r\n\r\n".utf8))
            #expect(await reader.nextBytes(2) == Array("\r\n".utf8))
            // Two messages in one segment, then one split across many writes.
            try await peer.write(probe("tcp-1") + probe("tcp-2"))
            let first = await reader.nextResponse()
            let second = await reader.nextResponse()
            #expect([first?.headers[.callID], second?.headers[.callID]] == ["tcp-1", "tcp-2"])
            #expect(first?.statusCode == 200 && second?.statusCode == 200)
            let split = probe("tcp-3")
            var offset = 0
            while offset < split.count {
                let end = min(split.count, offset + 7)
                try await peer.write(Array(split[offset..<end]))
                offset = end
            }
            #expect(await reader.nextResponse()?.headers[.callID] == "tcp-3")
            // The UA answered on this very connection: no second one was opened.
            #expect(transport.connectionCount == 1)
            await peer.close()
        }
    }

    @Test("lost framing gets 400 and the connection closed", arguments: ["Content-Length: -999", "Content-Length: five", "X-Missing: yes"])
    func fatalFramingErrors(_ badHeader: String) async throws {
        try await withUserAgent(delegate: RecordingDelegate()) { _, transport in
            let peer = try await WirePeer.tcp(to: transport.tcpAddress!)
            let local = peer.channel.localAddress!
            var reader = StreamReader(peer)
            let good = String(decoding: optionsProbe(from: "127.0.0.1", port: local.port!, callID: "bad-cl", transport: "TCP"), as: UTF8.self)
            let bad = good.replacingOccurrences(of: "Content-Length: 0", with: badHeader)
            try await peer.write(Array(bad.utf8))
            let response = await reader.nextResponse()
            #expect(response?.statusCode == 400)
            #expect(await reader.closed())
        }
    }
}
