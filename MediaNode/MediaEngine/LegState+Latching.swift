import NIOCore

/// Strict symmetric RTP: which packets belong to this leg's peer (the "RTP bleed" defence).
///
/// Symmetric RTP (send to where the peer's packets come from) is what gets calls through NAT,
/// and, applied naively, what lets anyone who guesses a port take a call's audio: latch onto
/// every source at any time and a stray packet redirects the stream. Here
/// * a source may be latched only if it is consistent with the signalling — its address is the
///   SDP `c=` address or the address the SIP request came from — or, for a leg marked NATted
///   (`anySourceDuringWindow`), any address, and then only within the latch window;
/// * once latched, a different source is followed only within `latchWindow` of an offer/answer
///   (a re-INVITE opens it again); otherwise its packets are dropped and counted;
/// * the SSRC is kept: outside the window a new SSRC from the latched source is followed only
///   after `ssrcProbation` packets of it in sequence (a blind injector guessing one packet at a
///   time is not), RFC 3550 §8.2 collisions and restarts still recover.
/// The in-kernel relay matches the latched source address, port and SSRC exactly and passes
/// anything else up; `receiveRTP` runs this check before taking the direction back, so a
/// foreign packet neither reaches the call nor makes the kernel hand the stream back.
extension LegState {
    /// Called for every RTP packet before anything else reads it. True: it is the peer's.
    func admitRTP(from source: SocketAddress, ssrc: UInt32, sequence: UInt16, now: NIODeadline) -> Bool {
        if let latchedSource, latchedSource == source {
            guard let known = remoteSSRC, known != ssrc else {
                remoteSSRC = ssrc
                return true
            }
            return admitNewSSRC(ssrc, sequence: sequence, now: now)
        }
        let inWindow = now < latchDeadline
        guard isConsistentWithSignalling(source) || (anySourceDuringWindow && inWindow),
              latchedSource == nil || inWindow
        else {
            foreignPackets &+= 1
            return false
        }
        latchedSource = source
        if configuration.symmetricRTP, remote != source { remote = source }
        remoteSSRC = ssrc
        ssrcCandidate = nil
        return true
    }

    /// RTCP is accepted from the latched RTP address or a source consistent with the signalling.
    func admitRTCP(from source: SocketAddress) -> Bool {
        if let latchedSource, latchedSource.ipAddress == source.ipAddress { return true }
        if isConsistentWithSignalling(source) { return true }
        foreignPackets &+= 1
        return false
    }

    private func admitNewSSRC(_ ssrc: UInt32, sequence: UInt16, now: NIODeadline) -> Bool {
        if now < latchDeadline {
            remoteSSRC = ssrc
            ssrcCandidate = nil
            return true
        }
        if var candidate = ssrcCandidate, candidate.ssrc == ssrc, candidate.nextSequence == sequence {
            candidate.count += 1
            candidate.nextSequence = sequence &+ 1
            if candidate.count >= configuration.ssrcProbation {
                remoteSSRC = ssrc
                ssrcCandidate = nil
                return true
            }
            ssrcCandidate = candidate
        } else {
            ssrcCandidate = (ssrc, sequence &+ 1, 1)
        }
        foreignPackets &+= 1
        return false
    }

    /// The source's address is the SDP address or the SIP signalling address.
    func isConsistentWithSignalling(_ source: SocketAddress) -> Bool {
        guard let address = source.ipAddress else { return false }
        return trustedAddresses.contains(address)
    }

    /// (Re)negotiation: the addresses RTP may come from, and a new latch window.
    func openLatchWindow(sdpAddress: String?, now: NIODeadline) {
        var trusted: Set<String> = []
        for candidate in [sdpAddress, signallingAddress] {
            // Canonical text (as SocketAddress prints it) so "::1" and "0:0::1" compare equal.
            let bare = candidate.map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }
            if let bare, let address = try? SocketAddress(ipAddress: bare, port: 0), let text = address.ipAddress {
                trusted.insert(text)
            }
        }
        trustedAddresses = trusted
        latchDeadline = now + configuration.latchWindow
    }
}
