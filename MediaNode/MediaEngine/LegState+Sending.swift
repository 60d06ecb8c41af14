import NIOCore
import RTPCore
import SDP

/// What a relayed packet carries.
enum RelayedPayload: Sendable {
    case audio(AudioCodec)
    case telephoneEvent
}

extension LegState {
    /// Whether this leg may send now (negotiated, has an address, direction allows it).
    var canSend: Bool {
        guard !sendGated, let audio, audio.direction.sends, remote != nil else { return false }
        return true
    }

    /// Relays a peer's packet: rewrite the header in place for our stream and send (no decode,
    /// no jitter buffer, no copy: `buffer` is the receiving socket's own, lent for the call).
    /// Transcodes PCMU↔PCMA by table when the legs differ.
    func sendRelayed(_ buffer: inout ByteBuffer, fromLeg: UInt32, ssrc: UInt32, timestamp: UInt32, marker: Bool, kind: RelayedPayload, now: NIODeadline) {
        guard playback == nil, !conferenceFed, !sendingDTMF, canSend, let audio, let remote else { return }
        let payloadType: UInt8
        switch kind {
        case .audio: payloadType = audio.payloadType
        case .telephoneEvent:
            guard let pt = audio.telephoneEventPayloadType else { return }  // peer cannot take events
            payloadType = pt
        }
        let base = buffer.readerIndex
        let header = outgoing.next(
            from: .relay(leg: fromLeg, ssrc: ssrc), inputTimestamp: timestamp, now: sampleClock(now),
            marker: marker, payloadBytes: buffer.readableBytes - RTPHeader.fixedSize)
        buffer.setInteger((header.marker ? 0x80 : 0) | payloadType, at: base + 1)
        buffer.setInteger(header.sequenceNumber, at: base + 2)
        buffer.setInteger(header.timestamp, at: base + 4)
        buffer.setInteger(outgoing.ssrc, at: base + 8)
        if case .audio(let codec) = kind, codec != audio.codec {
            let table = codec == .pcmu ? G711.ulawToALaw : G711.alawToULaw
            // The CSRC count comes from the wire: a short packet claiming 15 CSRCs has no payload.
            guard let first = buffer.getInteger(at: base, as: UInt8.self) else { return }
            let start = base + RTPHeader.fixedSize + 4 * Int(first & 0x0F)
            guard start <= buffer.writerIndex else { return }
            for i in start..<buffer.writerIndex {
                guard let byte = buffer.getInteger(at: i, as: UInt8.self) else { return }
                buffer.setInteger(table[Int(byte)], at: i)
            }
        }
        rtpSocket.send(buffer, to: remote)
    }

    /// Sends one 20 ms frame of linear audio generated locally (player, mixer). Mixer frames
    /// (`fromMixer`) give way to a prompt or music playing on this leg.
    func sendFrame(_ samples: [Int16], source: OutgoingRTPStream.Source, inputTimestamp: UInt32, fromMixer: Bool = false) {
        guard !sendingDTMF, canSend, let audio, let remote else { return }
        if fromMixer, playback != nil { return }
        let header = outgoing.next(from: source, inputTimestamp: inputTimestamp, now: sampleClock(), payloadBytes: samples.count)
        var buffer = rtpSocket.allocator.buffer(capacity: RTPHeader.fixedSize + samples.count)
        RTPHeader(marker: header.marker, payloadType: audio.payloadType, sequenceNumber: header.sequenceNumber,
                  timestamp: header.timestamp, ssrc: outgoing.ssrc).encode(into: &buffer)
        switch encoding {
        case .ulaw: for s in samples { buffer.writeInteger(G711.ulaw(fromLinear: s)) }
        case .alaw: for s in samples { buffer.writeInteger(G711.alaw(fromLinear: s)) }
        }
        rtpSocket.send(buffer, to: remote)
    }

    // MARK: - Playback

    /// Starts a playback list, replacing any current one.
    func play(_ items: [PlaybackItem], loops: Bool, bargeIn: Bool) -> PlaybackID {
        stopPlayback()
        let id = PlaybackID(rawValue: nextPlaybackID)
        nextPlaybackID &+= 1
        playback = (id, PlaybackQueue(items: items, loops: loops, frameSize: 8 * (audio?.remotePtime ?? 20)), bargeIn, 0)
        let ticker = PacedTicker(loop: loop, interval: .milliseconds(Int64(audio?.remotePtime ?? 20))) { [unowned self] in
            playbackTick()
        }
        playbackTicker = ticker
        ticker.start()
        return id
    }

    private func playbackTick() {
        // Held at its start until the peer is confirmed, so nothing of the prompt is lost.
        guard !sendGated, var current = playback else { return }
        guard let frame = current.queue.nextFrame() else {
            playbackTicker?.stop()
            playbackTicker = nil
            playback = nil
            events.yield(.playbackFinished(current.id))
            return
        }
        sendFrame(frame, source: .local(current.id.rawValue), inputTimestamp: current.timestamp)
        current.timestamp &+= UInt32(frame.count)
        playback = current
    }

    /// Stops the current playback, reporting `playbackStopped`.
    func stopPlayback() {
        playbackTicker?.stop()
        playbackTicker = nil
        if let playback { events.yield(.playbackStopped(playback.id)) }
        playback = nil
    }

    // MARK: - DTMF (RFC 4733 §2.5.1)

    /// Sends a key press as telephone-event packets; audio from this leg pauses meanwhile.
    func sendDTMF(_ digit: DTMFDigit, durationMs: Int) -> Bool {
        guard let audio, let pt = audio.telephoneEventPayloadType, canSend, let remote else { return false }
        let packets = TelephoneEventSender.packets(for: digit, durationMs: durationMs, intervalMs: audio.remotePtime)
        sendingDTMF = true
        let source = OutgoingRTPStream.Source.local(0xD7_0000 | UInt32(digit.event))
        let start = sampleClock()
        let isolated = loop.assumeIsolated()
        for (index, packet) in packets.enumerated() {
            isolated.scheduleTask(in: .milliseconds(Int64(packet.offsetMs))) { [weak self] in
                guard let self else { return }
                // All packets of one event carry the event's start timestamp (§2.5.1.1).
                let header = outgoing.next(from: source, inputTimestamp: UInt32(truncatingIfNeeded: start), now: sampleClock(), marker: packet.marker)
                var buffer = rtpSocket.allocator.buffer(capacity: 16)
                RTPHeader(marker: packet.marker, payloadType: pt, sequenceNumber: header.sequenceNumber,
                          timestamp: header.timestamp, ssrc: outgoing.ssrc).encode(into: &buffer)
                buffer.writeBytes(packet.event.bytes)
                rtpSocket.send(buffer, to: remote)
                if index == packets.count - 1 { sendingDTMF = false }
            }
        }
        return true
    }
}
