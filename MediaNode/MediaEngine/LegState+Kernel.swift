import CKernelRelay
import NIOCore
import RTPCore

/// Handing a bridged direction to the in-kernel relay (`KernelRelay`) and taking it back.
///
/// A direction goes to the kernel once the loop has relayed `relaysBeforeKernel` audio packets
/// in a row that needed nothing but a header rewrite: same codec both sides, nobody listening
/// in (recording, conference, in-band DTMF), no hold, prompt, music or DTMF on the receiving
/// side, IPv4. The entry carries this leg's receive statistics and the peer's stream state, so
/// the kernel continues both exactly; `reclaimFromKernel` takes them back atomically.
///
/// Take-back is immediate whenever one of those conditions changes (the `didSet`s in LegState)
/// and whenever a packet reaches our socket while the kernel has the direction: the program
/// passes up anything it does not recognise (telephone-events, a new SSRC or source address,
/// a sequence jump), and the loop handles it as before.
extension LegState {
    /// About 200 ms of audio: symmetric RTP has latched and the stream has settled.
    static let relaysBeforeKernel = 10
    /// After the kernel refused an entry, relay this many packets before asking again.
    static let kernelBackoff = 500

    /// Called after the loop relayed one of our packets to `target`.
    func considerKernel(for target: LegState, ssrc: UInt32, source: SocketAddress, isEvent: Bool, now: NIODeadline) {
        guard !isEvent else {
            relaysTowardKernel = min(relaysTowardKernel, 0)
            return
        }
        relaysTowardKernel += 1
        guard relaysTowardKernel >= Self.relaysBeforeKernel, kernelTarget == nil, let kernelRelay else { return }
        guard relayInbound, taps.isEmpty, inBandDetector == nil, statistics.started,
            let audio, audio.direction.receives, remote == source, case .v4(let from) = source,
            target.playback == nil, !target.conferenceFed, !target.sendingDTMF, target.kernelFeeder == nil,
            let targetAudio = target.audio, targetAudio.codec == audio.codec, targetAudio.direction.sends,
            let destination = target.remote, case .v4(let to) = destination,
            target.outgoing.relayState.source == .relay(leg: id, ssrc: ssrc)
        else { return }
        // Packets leave as from the target leg's socket.
        guard let route = KernelRelay.route(from: target.rtpSocket, to: destination) else {
            relaysTowardKernel = -Self.kernelBackoff
            return
        }
        let stream = target.outgoing
        let counting = statistics.continuation
        var entry = ckr_entry()
        entry.source_ip = from.address.sin_addr.s_addr
        entry.source_port = from.address.sin_port
        entry.payload_type = audio.payloadType
        entry.out_payload_type = targetAudio.payloadType
        entry.ssrc = ssrc.bigEndian
        entry.out_source_ip = route.source
        entry.out_destination_ip = to.address.sin_addr.s_addr
        entry.out_source_port = UInt16(target.rtpSocket.localPort).bigEndian
        entry.out_destination_port = to.address.sin_port
        entry.out_ssrc = stream.ssrc.bigEndian
        entry.timestamp_offset = stream.relayState.timestampOffset
        entry.next_sequence = UInt32(stream.nextSequence)
        entry.out_ifindex = route.interface
        entry.received = counting.received
        entry.cycles = counting.cycles
        entry.max_sequence = UInt32(counting.maxSequence)
        entry.jitter_q4 = counting.jitterQ4
        if let transit = counting.lastTransit {
            entry.last_transit = transit
            entry.flags = CKR_HAS_TRANSIT
        }
        entry.octets_received = octetsReceived
        entry.last_arrival_ns = lastReceive.uptimeNanoseconds
        entry.packets_sent = stream.packetsSent
        entry.octets_sent = stream.octetsSent
        entry.last_timestamp = stream.currentTimestamp
        entry.last_send_ns = now.uptimeNanoseconds
        guard kernelRelay.put(port: rtpSocket.localPort, entry) else {
            relaysTowardKernel = -Self.kernelBackoff
            return
        }
        kernelTarget = target
        target.kernelFeeder = self
        kernelPacketBase = packetsReceived &- counting.received
        kernelReceivedAtHandover = counting.received
    }

    /// Takes our direction back from the kernel with everything it counted.
    func reclaimFromKernel() {
        guard let target = kernelTarget else { return }
        kernelTarget = nil
        target.kernelFeeder = nil
        relaysTowardKernel = 0
        guard let entry = kernelRelay?.take(port: rtpSocket.localPort) else { return }
        adopt(entry, target: target)
        kernelRelayedPackets &+= UInt64(entry.received &- kernelReceivedAtHandover)
    }

    /// Something both directions through this leg depend on changed (codec, address, peer).
    func kernelDependencyChanged() {
        if kernelTarget != nil { reclaimFromKernel() }
        kernelFeeder?.reclaimFromKernel()
    }

    /// Brings counters the kernel keeps up to date without taking anything back (reports, CDR).
    func syncFromKernel() {
        guard let kernelRelay else { return }
        if let target = kernelTarget, let entry = kernelRelay.peek(port: rtpSocket.localPort) { adopt(entry, target: target) }
        if let feeder = kernelFeeder, let entry = kernelRelay.peek(port: feeder.rtpSocket.localPort) { feeder.adopt(entry, target: self) }
    }

    /// Our inbound packets relayed by the kernel so far.
    var packetsRelayedByKernel: UInt64 {
        guard kernelTarget != nil, let entry = kernelRelay?.peek(port: rtpSocket.localPort) else { return kernelRelayedPackets }
        return kernelRelayedPackets &+ UInt64(entry.received &- kernelReceivedAtHandover)
    }

    private func adopt(_ entry: ckr_entry, target: LegState) {
        statistics.continue(
            from: .init(
                received: entry.received, cycles: entry.cycles, maxSequence: UInt16(truncatingIfNeeded: entry.max_sequence),
                jitterQ4: entry.jitter_q4, lastTransit: entry.flags & CKR_HAS_TRANSIT != 0 ? entry.last_transit : nil))
        packetsReceived = kernelPacketBase &+ entry.received
        octetsReceived = entry.octets_received
        lastReceive = .uptimeNanoseconds(entry.last_arrival_ns)
        target.outgoing.continue(
            nextSequence: UInt16(truncatingIfNeeded: entry.next_sequence), lastTimestamp: entry.last_timestamp,
            lastWallclock: entry.last_send_ns / 125_000, packetsSent: entry.packets_sent, octetsSent: entry.octets_sent)
    }
}
