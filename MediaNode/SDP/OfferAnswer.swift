/// RFC 3264 offer/answer for one audio stream with G.711 and telephone-event.
///
/// Pure: callers supply ports, origin and the desired direction; nothing here opens sockets.
public struct OfferAnswer: Sendable {
    public var profile: LocalMediaProfile

    public init(profile: LocalMediaProfile) {
        self.profile = profile
    }

    /// An offer with all our codecs in preference order plus telephone-event (RFC 3264 §5).
    /// Put the call on hold by offering `.sendonly` (RFC 3264 §8.4).
    public func makeOffer(origin: Origin, port: Int, direction: MediaDirection = .sendrecv) -> SessionDescription {
        var formats = profile.codecs.map { String($0.staticPayloadType) }
        var attributes = profile.codecs.map { SDPAttribute("rtpmap", $0.rtpMap.attributeValue(payloadType: $0.staticPayloadType)) }
        if let te = profile.telephoneEventPayloadType {
            formats.append(String(te))
            attributes.append(contentsOf: telephoneEventAttributes(te))
        }
        attributes.append(SDPAttribute("ptime", String(profile.ptime)))
        attributes.append(SDPAttribute(direction.rawValue))
        return SessionDescription(
            origin: origin, connection: localConnection,
            media: [MediaDescription(media: "audio", port: port, formats: formats, attributes: attributes)]
        )
    }

    /// Answers an offer (RFC 3264 §6): one answer `m=` per offered `m=`; the first usable audio
    /// stream is accepted with a single codec, every other stream is rejected with port 0.
    public func answer(
        to offer: SessionDescription, origin: Origin, port: Int, direction: MediaDirection = .sendrecv
    ) throws(SDPNegotiationError) -> (answer: SessionDescription, audio: NegotiatedAudio) {
        var answerMedia: [MediaDescription] = []
        var accepted: NegotiatedAudio?
        var firstFailure: SDPNegotiationError?

        for (index, offered) in offer.media.enumerated() {
            if accepted == nil, offered.port != 0, offered.media == "audio" {
                do throws(SDPNegotiationError) {
                    let (media, audio) = try acceptAudio(offered, in: offer, at: index, port: port, direction: direction)
                    answerMedia.append(media)
                    accepted = audio
                    continue
                } catch {
                    if firstFailure == nil { firstFailure = error }
                }
            }
            answerMedia.append(Self.rejected(offered))
        }
        guard let accepted else { throw firstFailure ?? .noAudioStream }
        let answer = SessionDescription(origin: origin, connection: localConnection, media: answerMedia)
        return (answer, accepted)
    }

    /// Reads the peer's answer to our `offer` (RFC 3264 §7).
    public func accept(answer: SessionDescription, to offer: SessionDescription) throws(SDPNegotiationError) -> NegotiatedAudio {
        guard answer.media.count == offer.media.count else {
            throw .answerMismatch("answer has \(answer.media.count) m= lines, offer had \(offer.media.count)")
        }
        guard let index = offer.media.indices.first(where: { offer.media[$0].media == "audio" && offer.media[$0].port != 0 }) else {
            throw .noAudioStream
        }
        let ours = offer.media[index]
        let theirs = answer.media[index]
        guard theirs.port != 0 else { throw .streamRejected }
        let rtcpPort = try Self.remoteRTCPPort(of: theirs)
        let theirMaps = theirs.rtpMaps
        let ourMaps = ours.rtpMaps
        var chosen: (AudioCodec, UInt8)?
        for pt in theirs.payloadTypes {
            guard let map = theirMaps[pt], let codec = profile.codecs.first(where: { $0.rtpMap.matches(map) }) else { continue }
            guard ourMaps.values.contains(where: { $0.matches(map) }) else { continue }
            chosen = (codec, pt)
            break
        }
        guard let (codec, pt) = chosen else { throw .noCommonCodec }
        guard let connection = answer.effectiveConnection(forMediaAt: index) else { throw .missingConnection }
        let ourDirection = ours.direction ?? offer.direction ?? .sendrecv
        var theirDirection = theirs.direction ?? answer.direction ?? .sendrecv
        if connection.isNullAddress { theirDirection = MediaDirection(sends: theirDirection.sends, receives: false) }
        let te = telephoneEventPayloadType(in: theirs).flatMap { ourMaps[$0] != nil ? $0 : nil }
        return NegotiatedAudio(
            codec: codec, payloadType: pt, telephoneEventPayloadType: te, remotePtime: Self.usablePtime(theirs.ptime),
            remoteAddress: connection.isNullAddress ? nil : connection.address, remotePort: theirs.port,
            remoteRTCPPort: rtcpPort, direction: MediaDirection(sends: ourDirection.sends && theirDirection.receives, receives: ourDirection.receives && theirDirection.sends)
        )
    }

    // MARK: - Helpers

    private var localConnection: Connection {
        Connection(addressType: profile.addressType, address: profile.address)
    }

    private func telephoneEventAttributes(_ pt: UInt8) -> [SDPAttribute] {
        [SDPAttribute("rtpmap", "\(pt) telephone-event/8000"), SDPAttribute("fmtp", "\(pt) 0-16")]
    }

    private func telephoneEventPayloadType(in media: MediaDescription) -> UInt8? {
        let maps = media.rtpMaps
        return media.payloadTypes.first { pt in
            guard let map = maps[pt] else { return false }
            return map.encoding.lowercased() == "telephone-event" && map.clockRate == 8000
        }
    }

    private func acceptAudio(
        _ offered: MediaDescription, in offer: SessionDescription, at index: Int, port: Int, direction: MediaDirection
    ) throws(SDPNegotiationError) -> (MediaDescription, NegotiatedAudio) {
        // RFC 3551 profile only; SRTP/AVPF offers are declined so the peer can retry plain RTP.
        guard offered.transport.uppercased() == "RTP/AVP" else { throw .unsupportedTransport(offered.transport) }
        let rtcpPort = try Self.remoteRTCPPort(of: offered)
        let maps = offered.rtpMaps
        var candidates: [(AudioCodec, UInt8, Int)] = []  // codec, offered pt, offer position
        for (position, pt) in offered.payloadTypes.enumerated() {
            guard let map = maps[pt], let codec = profile.codecs.first(where: { $0.rtpMap.matches(map) }) else { continue }
            if !candidates.contains(where: { $0.0 == codec }) { candidates.append((codec, pt, position)) }
        }
        if profile.preferOwnCodecOrder {
            let rank = { (codec: AudioCodec) in profile.codecs.firstIndex(of: codec) ?? Int.max }
            candidates.sort { rank($0.0) < rank($1.0) }
        }
        guard let (codec, pt, _) = candidates.first else { throw .noCommonCodec }
        guard let connection = offer.effectiveConnection(forMediaAt: index) else { throw .missingConnection }

        var offerDirection = offered.direction ?? offer.direction ?? .sendrecv
        if connection.isNullAddress {
            offerDirection = MediaDirection(sends: offerDirection.sends, receives: false)
        }
        let answerDirection = offerDirection.answer(wanting: direction)
        let te = profile.telephoneEventPayloadType != nil ? telephoneEventPayloadType(in: offered) : nil

        var formats = [String(pt)]
        var attributes = [SDPAttribute("rtpmap", codec.rtpMap.attributeValue(payloadType: pt))]
        if let te {
            formats.append(String(te))
            attributes.append(contentsOf: telephoneEventAttributes(te))
        }
        attributes.append(SDPAttribute("ptime", String(profile.ptime)))
        attributes.append(SDPAttribute(answerDirection.rawValue))
        let media = MediaDescription(media: "audio", port: port, transport: offered.transport, formats: formats, attributes: attributes)
        let audio = NegotiatedAudio(
            codec: codec, payloadType: pt, telephoneEventPayloadType: te, remotePtime: Self.usablePtime(offered.ptime),
            remoteAddress: connection.isNullAddress ? nil : connection.address, remotePort: offered.port,
            remoteRTCPPort: rtcpPort, direction: answerDirection
        )
        return (media, audio)
    }

    /// Packetization times a peer may ask for, ms. Outside this range `a=ptime` is ignored (it is a
    /// hint, RFC 4566 §6): 0 or negative would stall the sender, 1 ms would make 1,000 packets/s.
    public static let usablePtimes = 10...200

    /// The peer's `a=ptime` when usable, else 20 ms.
    static func usablePtime(_ ptime: Int?) -> Int {
        guard let ptime, usablePtimes.contains(ptime) else { return 20 }
        return ptime
    }

    /// The peer's RTCP port for an accepted stream (port 1…65535 from the parser): `a=rtcp:<port>`
    /// (RFC 3605 §2.1) when present, else the RTP port + 1 (RFC 3550 §11), so RTP port 65535 needs
    /// `a=rtcp`.
    static func remoteRTCPPort(of media: MediaDescription) throws(SDPNegotiationError) -> Int {
        guard (1...65535).contains(media.port) else { throw .invalidPort("m= port \(media.port)") }
        if let value = media.attribute("rtcp") {
            // `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]`
            guard let field = value.split(separator: " ", omittingEmptySubsequences: true).first,
                let port = SessionDescription.decimal(field, max: 65535), port >= 1
            else { throw .invalidPort("a=rtcp:\(value.prefix(40))") }
            return port
        }
        guard media.port < 65535 else {
            throw .invalidPort("m= port 65535 leaves no port for RTCP; announce it with a=rtcp (RFC 3605)")
        }
        return media.port + 1
    }

    /// A rejected stream keeps media, transport and formats with port 0 (RFC 3264 §6).
    static func rejected(_ offered: MediaDescription) -> MediaDescription {
        MediaDescription(
            media: offered.media, port: 0, transport: offered.transport,
            formats: offered.formats.isEmpty ? ["0"] : offered.formats
        )
    }
}
