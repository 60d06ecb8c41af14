// Parser throughput on one core: `swift run -c release SIPBenchmarks [seconds-per-case]`.
// Parses (and validates) a typical INVITE with SDP and a typical 200 OK in a loop and prints
// messages per second; also serialization of the parsed INVITE.
import SIPMessage

let invite = Array("""
INVITE sip:+861012345678@media-node.example.com SIP/2.0\r
Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1---abcdef0123456789;rport\r
Via: SIP/2.0/UDP 198.51.100.7:5060;received=198.51.100.7;branch=z9hG4bK776asdhds\r
Max-Forwards: 69\r
Record-Route: <sip:203.0.113.10;lr;ftag=as5b3e1c1b>\r
Contact: <sip:+8613800000000@198.51.100.7:5060;transport=udp>\r
To: <sip:+861012345678@media-node.example.com>\r
From: "Caller" <sip:+8613800000000@carrier.example.net>;tag=as5b3e1c1b\r
Call-ID: 3c26f84a7b9e4f1c8a0d2e6b5f7a9c1d@198.51.100.7\r
CSeq: 102 INVITE\r
User-Agent: CarrierGW/1.0\r
Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, SUBSCRIBE, NOTIFY, INFO, PUBLISH, MESSAGE\r
Supported: replaces, timer\r
Session-Expires: 1800;refresher=uac\r
Min-SE: 90\r
Content-Type: application/sdp\r
Content-Length: 233\r
\r
v=0\r
o=root 1234567890 1234567890 IN IP4 198.51.100.7\r
s=call\r
c=IN IP4 198.51.100.7\r
t=0 0\r
m=audio 16384 RTP/AVP 0 8 101\r
a=rtpmap:0 PCMU/8000\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:101 telephone-event/8000\r
a=fmtp:101 0-16\r
a=ptime:20\r
a=sendrecv\r

""".utf8)

let ok = Array("""
SIP/2.0 200 OK\r
Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1---abcdef0123456789;rport=5060;received=203.0.113.10\r
Record-Route: <sip:203.0.113.10;lr;ftag=as5b3e1c1b>\r
Contact: <sip:agent1001@192.0.2.50:5060>\r
To: <sip:+861012345678@media-node.example.com>;tag=8f3c2a1b\r
From: "Caller" <sip:+8613800000000@carrier.example.net>;tag=as5b3e1c1b\r
Call-ID: 3c26f84a7b9e4f1c8a0d2e6b5f7a9c1d@198.51.100.7\r
CSeq: 102 INVITE\r
Server: callcenter-media-node\r
Content-Length: 0\r
\r

""".utf8)

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 3 : 3
let parser = SIPMessageParser()

@inline(never)
func measure(_ name: String, _ body: () -> Int) {
    let clock = ContinuousClock()
    var iterations = 0
    var checksum = 0
    let start = clock.now
    let budget = Duration.seconds(seconds)
    while clock.now - start < budget {
        for _ in 0..<1000 { checksum &+= body() }
        iterations += 1000
    }
    let elapsed = clock.now - start
    let perSecond = Double(iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    print("\(name): \(Int(perSecond)) msgs/s (\(iterations) in \(elapsed), checksum \(checksum & 0xFF))")
}

measure("parse+validate INVITE (\(invite.count) B)") {
    (try? parser.parse(invite))?.headers.count ?? -1
}
measure("parse+validate 200 OK (\(ok.count) B)") {
    (try? parser.parse(ok))?.headers.count ?? -1
}
let parsedInvite = try parser.parse(invite)
measure("serialize INVITE") {
    parsedInvite.serialized().count
}
