import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

extension ControlPlaneHarness {
    /// Like `call`, and also returns the `Location` header.
    func callReadingLocation(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: Any? = nil,
                             bytes: Data? = nil, contentType: String = "application/json",
                             headers extra: HTTPFields = [:]) async throws -> (Reply, location: String?) {
        let answer = try await callWithHeaders(method, path, token: token, json: json, bytes: bytes, contentType: contentType, headers: extra)
        return (answer.reply, answer.headers[.location])
    }

    /// `call` with extra request headers; returns the reply and all response headers.
    func callWithHeaders(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: Any? = nil,
                         bytes: Data? = nil, contentType: String = "application/json",
                         headers extra: HTTPFields = [:]) async throws -> (reply: Reply, headers: HTTPFields) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = contentType
            // Sorted keys: the same JSON gives the same bytes (an Idempotency-Key fingerprints the bytes).
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        } else if let bytes {
            headers[.contentType] = contentType
            buffer = ByteBuffer(data: bytes)
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: buffer) { response in
            (Reply(status: Int(response.status.code), contentType: response.headers[.contentType],
                   body: Data(buffer: response.body), retryAfter: response.headers[.retryAfter]), response.headers)
        }
    }

    /// A WebSocket opening handshake (RFC 6455 §4.1) on a connection of its own, read up to the end
    /// of the response head (and a problem body, if any). 101 means the stream opened; the
    /// connection is then closed without reading frames.
    func webSocketHandshake(_ path: String, token: String?, subprotocols: String = "cc.v1") async throws -> Reply {
        guard let port = client.port else { throw HarnessError("the test server has no port") }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: \(subprotocols)\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "\r\n"
        let text = request
        let received: [UInt8] = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            var bytes: [UInt8] = []
            for try await chunk in inbound {
                bytes += chunk.readableBytesView
                guard let head = Self.headEnd(bytes) else { continue }
                let headText = String(decoding: bytes[..<head], as: UTF8.self).lowercased()
                if headText.hasPrefix("http/1.1 101") { break }
                let length = headText.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if bytes.count >= head + 4 + length { break }
            }
            return bytes
        }
        guard let head = Self.headEnd(received) else { throw HarnessError("no HTTP response head to the handshake") }
        let lines = String(decoding: received[..<head], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.split(separator: " ").count >= 2,
              let status = Int(statusLine.split(separator: " ")[1]) else { throw HarnessError("bad status line") }
        let contentType = lines.dropFirst().first { $0.lowercased().hasPrefix("content-type:") }
            .map { $0.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces) }
        return Reply(status: status, contentType: contentType, body: Data(received[(head + 4)...]))
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
        return nil
    }
}

extension ControlPlaneHarness.Reply {
    /// The id of what a 201 created, wherever the operation's schema puts it.
    var createdID: String? {
        string("id") ?? string("key", "id") ?? string("agent", "id") ?? string("token", "id") ?? string("tenant", "id") ?? string("nodeId")
    }
}
