import NIOCore
import RTPCore

extension LegState {
    /// NTP time (RFC 3550 §4) from the wall clock.
    static func ntpNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let seconds = UInt64(ts.tv_sec) + 2_208_988_800
        let fraction = (UInt64(ts.tv_nsec) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }

    /// Sends SR (or RR when we have not sent) + SDES (RFC 3550 §6.1 compound packet).
    func sendRTCPReport() {
        guard !sendGated, let rtcpSocket, let target = remoteRTCP else { return }
        syncFromKernel()
        var blocks: [RTCPReportBlock] = []
        if let remoteSSRC, statistics.started {
            var lsr: UInt32 = 0
            var dlsr: UInt32 = 0
            if let last = lastSenderReport {
                lsr = last.compact
                dlsr = UInt32(truncatingIfNeeded: (NIODeadline.now() - last.at).nanoseconds * 65536 / 1_000_000_000)
            }
            blocks.append(statistics.makeReportBlock(ssrc: remoteSSRC, lastSenderReport: lsr, delaySinceLastSenderReport: dlsr))
        }
        var buffer = rtcpSocket.allocator.buffer(capacity: 128)
        if outgoing.packetsSent > 0 {
            RTCPPacket.senderReport(RTCPSenderReport(
                ssrc: outgoing.ssrc, ntpTimestamp: Self.ntpNow(), rtpTimestamp: outgoing.currentTimestamp,
                packetCount: outgoing.packetsSent, octetCount: outgoing.octetsSent, reports: blocks)).encode(into: &buffer)
        } else {
            RTCPPacket.receiverReport(ssrc: outgoing.ssrc, reports: blocks).encode(into: &buffer)
        }
        RTCPPacket.sourceDescription(ssrc: outgoing.ssrc, cname: "leg\(id)@media-node").encode(into: &buffer)
        rtcpSocket.send(buffer, to: target)
    }

    /// Reads the peer's reports: remembers its SR for our LSR/DLSR and derives round-trip
    /// time from blocks about our SSRC (RFC 3550 §6.4.1).
    func receiveRTCP(_ buffer: ByteBuffer, from source: SocketAddress) {
        guard admitRTCP(from: source), let packets = try? RTCPPacket.decodeCompound(buffer) else { return }
        if configuration.symmetricRTP, remoteRTCP != source { remoteRTCP = source }
        let nowNTP = Self.ntpNow()
        let compactNow = UInt32(truncatingIfNeeded: nowNTP >> 16)
        var blocks: [RTCPReportBlock] = []
        for packet in packets {
            switch packet {
            case .senderReport(let sr):
                lastSenderReport = (sr.compactNTP, .now())
                blocks += sr.reports
            case .receiverReport(_, let reports):
                blocks += reports
            default:
                break
            }
        }
        for block in blocks where block.ssrc == outgoing.ssrc && block.lastSenderReport != 0 {
            let rtt = compactNow &- block.lastSenderReport &- block.delaySinceLastSenderReport
            roundTripMs = Double(rtt) * 1000 / 65536
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
