import NIOCore
import SIPMessage
import SIPTransport
import Testing
@testable import SIPUserAgent

/// Where calls to a registered phone go: its Contact, unless the REGISTER shows NAT or came on a connection.
@Suite("Registrar: Contact or source")
struct RegistrarNATTests {
    static func register(via: String) throws -> SIPRequest {
        let text = "REGISTER sip:acme.test SIP/2.0\r\nVia: SIP/2.0/UDP \(via);branch=z9hG4bK1\r\nFrom: <sip:li@acme.test>;tag=1\r\n"
            + "To: <sip:li@acme.test>\r\nCall-ID: r1\r\nCSeq: 1 REGISTER\r\nContact: <sip:li@10.0.0.7:5070>\r\nContent-Length: 0\r\n\r\n"
        return try #require(try SIPMessageParser().parse(Array(text.utf8)).request)
    }

    static func source(_ transport: SIPTransportProtocol, _ ip: String, _ port: Int) throws -> SIPEndpoint {
        SIPEndpoint(transport, try SocketAddress(ipAddress: ip, port: port))
    }

    @Test func viaMatchingTheSourceMeansNoNAT() throws {
        #expect(!SIPUserAgent.isNATted(try Self.register(via: "198.51.100.4:5060"), source: try Self.source(.udp, "198.51.100.4", 5060)))
        #expect(!SIPUserAgent.isNATted(try Self.register(via: "198.51.100.4"), source: try Self.source(.udp, "198.51.100.4", 5060)),
                "no port in Via is 5060")
    }

    @Test func anotherAddressOrPortOrAConnectionMeansSource() throws {
        #expect(SIPUserAgent.isNATted(try Self.register(via: "192.168.1.10:5060"), source: try Self.source(.udp, "203.0.113.5", 40123)))
        #expect(SIPUserAgent.isNATted(try Self.register(via: "198.51.100.4:5060"), source: try Self.source(.udp, "198.51.100.4", 40123)))
        #expect(SIPUserAgent.isNATted(try Self.register(via: "phone.example:5060"), source: try Self.source(.udp, "198.51.100.4", 5060)))
        #expect(SIPUserAgent.isNATted(try Self.register(via: "198.51.100.4:5060"), source: try Self.source(.tcp, "198.51.100.4", 5060)))
    }
}
