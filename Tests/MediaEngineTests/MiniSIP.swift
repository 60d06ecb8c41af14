import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Just enough SIP over UDP to set up one call with an external peer (SIPp, PJSIP) so
/// media tests do not depend on the SIP stack under construction. Not a SIP implementation:
/// no transactions, retransmissions are answered again, everything is on 127.0.0.1.
final class MiniSIP: Sendable {
    struct Message: Sendable {
        var startLine: String
        var headers: [(String, String)]
        var body: String
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        var method: String? { startLine.hasPrefix("SIP/2.0") ? nil : String(startLine.split(separator: " ")[0]) }
        var status: Int? { startLine.hasPrefix("SIP/2.0") ? Int(startLine.split(separator: " ")[1]) : nil }

        init?(_ text: String) {
            guard let split = text.range(of: "\r\n\r\n") else { return nil }
            let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
            startLine = lines[0]
            headers = lines.dropFirst().compactMap { line in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            body = String(text[split.upperBound...])
        }
    }

    typealias Inbox = [(Message, SocketAddress)]

    let channel: any Channel
    var port: Int { channel.localAddress!.port! }
    private let inbox = WaitableState<Inbox>([])

    private init(channel: any Channel) { self.channel = channel }

    static func start() async throws -> MiniSIP {
        let handler = Handler()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(handler) } }
            .bind(host: "127.0.0.1", port: 0).get()
        let sip = MiniSIP(channel: channel)
        handler.onMessage = { [weak sip] text, from in sip?.deliver(text, from) }
        return sip
    }

    private func deliver(_ text: String, _ from: SocketAddress) {
        guard let message = Message(text) else { return }
        inbox.update { $0.append((message, from)) }
    }

    /// Waits (with a deadline) for a message matching `check` and takes it from the inbox.
    func receive(seconds: Double = 10, _ check: @escaping @Sendable (Message) -> Bool) async throws -> (Message, SocketAddress) {
        let found = try await inbox.wait(for: "a SIP message", seconds: seconds) { (box: inout Inbox) -> Received? in
            guard let index = box.firstIndex(where: { check($0.0) }) else { return nil }
            let item = box.remove(at: index)
            return Received(message: item.0, from: item.1)
        }
        return (found.message, found.from)
    }

    struct Received: Sendable {
        var message: Message
        var from: SocketAddress
    }

    func send(_ text: String, to address: SocketAddress) {
        var buffer = channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer), promise: nil)
    }

    /// A response echoing the request's dialog headers (RFC 3261 §8.2.6).
    func respond(to request: Message, from: SocketAddress, status: String, body: String = "", toTag: String = "media1") {
        var to = request.header("To") ?? ""
        if !to.contains("tag=") { to += ";tag=\(toTag)" }
        var text = "SIP/2.0 \(status)\r\n"
        for name in ["Via", "From"] { text += "\(name): \(request.header(name) ?? "")\r\n" }
        text += "To: \(to)\r\nCall-ID: \(request.header("Call-ID") ?? "")\r\nCSeq: \(request.header("CSeq") ?? "")\r\n"
        text += "Contact: <sip:media@127.0.0.1:\(port)>\r\n"
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        send(text, to: from)
    }

    /// A request within or starting a dialog (`to` gets the remote tag once known).
    func request(_ method: String, uri: String, callID: String, cseq: Int, to: String, body: String = "", address: SocketAddress) {
        var text = "\(method) \(uri) SIP/2.0\r\n"
        text += "Via: SIP/2.0/UDP 127.0.0.1:\(port);branch=z9hG4bK\(UUID().uuidString.prefix(8));rport\r\n"
        text += "Max-Forwards: 70\r\nFrom: <sip:media@127.0.0.1:\(port)>;tag=mediatest\r\nTo: \(to)\r\n"
        text += "Call-ID: \(callID)\r\nCSeq: \(cseq) \(method)\r\nContact: <sip:media@127.0.0.1:\(port)>\r\n"
        if !body.isEmpty { text += "Content-Type: application/sdp\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        send(text, to: address)
    }

    func close() async { try? await channel.close() }
}

private final class Handler: ChannelInboundHandler, @unchecked Sendable {  // onMessage is set once before traffic
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    var onMessage: ((String, SocketAddress) -> Void)?
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onMessage?(String(buffer: envelope.data), envelope.remoteAddress)
    }
}

/// A child process (sipp, python pjsua2 peer) whose output lines and exit can be awaited.
final class ExternalPeer: Sendable {
    struct Missing: Error, CustomStringConvertible {
        let what: String
        var description: String { "\(what) is not installed; the test command installs it (infra/deps/apt.txt, pip.txt)" }
    }

    struct Output: Sendable {
        var lines: [String] = []
        var exitStatus: Int32?
    }

    let process: Process
    private let output = WaitableState(Output())

    init(executable: String, arguments: [String], directory: String? = nil) throws {
        guard let path = Self.find(executable) else { throw Missing(what: executable) }
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let output = self.output
        out.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            if !lines.isEmpty { output.update { $0.lines += lines } }
        }
        process.terminationHandler = { process in
            let status = process.terminationStatus
            output.update { $0.exitStatus = status }
        }
        try process.run()
    }

    static func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        return dirs.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    var lines: [String] { output.value.lines }

    /// Waits until the process prints a line containing `text`.
    func waitForLine(_ text: String, seconds: Double = 20) async throws {
        try await output.wait(for: "\"\(text)\" from \(process.executableURL?.lastPathComponent ?? "")", seconds: seconds) { out in
            out.lines.contains { $0.contains(text) } || out.exitStatus != nil
        }
        guard lines.contains(where: { $0.contains(text) }) else {
            throw Timeout(what: "\"\(text)\"; process exited: \(lines.suffix(20).joined(separator: " | "))")
        }
    }

    /// Waits for the process to exit; kills it after the deadline.
    func exitStatus(seconds: Double = 30) async throws -> Int32 {
        do {
            return try await output.wait(for: "\(process.executableURL?.lastPathComponent ?? "") to exit", seconds: seconds) { $0.exitStatus }
        } catch {
            process.terminate()
            throw error
        }
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
