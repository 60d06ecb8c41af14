import Foundation
import FuzzCorpus
import NIOCore
import Testing
@testable import RTPCore

/// Replays the RTP fuzz target's committed inputs (infra/fuzz/corpus/rtp: seeds;
/// infra/fuzz/regressions/rtp: every input that ever failed) with the properties
/// infra/fuzz/RTPFuzzTarget.swift checks, and pins each trap found in RTPCore's wire decoders.
@Suite struct FuzzCorpusTests {
    static func inputs() throws -> [(name: String, bytes: [UInt8])] { try fuzzCorpus("rtp") }

    @Test func corpusKeepsTheFuzzProperties() throws {
        var rtp = 0, rtcp = 0, wav = 0
        let inputs = try Self.inputs()
        #expect(inputs.count >= 9)
        for (name, bytes) in inputs {
            let buffer = ByteBuffer(bytes: bytes)
            if let packet = try? RTPPacket(decoding: buffer) {
                rtp += 1
                #expect(try RTPPacket(decoding: packet.encoded()) == packet, "\(name)")
                var receiver = TelephoneEventReceiver()
                for (event, timestamp) in TelephoneEvent.blocks(in: Array(packet.payload.readableBytesView), timestamp: packet.header.timestamp) {
                    _ = receiver.receive(event, timestamp: timestamp)
                }
            }
            if let packets = try? RTCPPacket.decodeCompound(buffer) {
                rtcp += 1
                var encoded = ByteBuffer()
                for p in packets { p.encode(into: &encoded) }
                #expect(try RTCPPacket.decodeCompound(encoded) == packets, "\(name)")
            }
            if (try? WAVDecoder.decode(bytes)) != nil { wav += 1 }
        }
        #expect(rtp >= 4 && rtcp >= 2 && wav >= 2)
    }

    /// A WAV header with a 40-byte WAVE_FORMAT_EXTENSIBLE `fmt ` chunk, cut after `keep` bytes of it.
    func extensibleHeader(rate: UInt32 = 8000, keep: Int) -> [UInt8] {
        var fmt: [UInt8] = [0xFE, 0xFF, 1, 0]
        fmt += withUnsafeBytes(of: rate.littleEndian, Array.init)
        fmt += withUnsafeBytes(of: rate.littleEndian, Array.init)
        fmt += [1, 0, 8, 0, 22, 0, 8, 0, 0, 0, 0, 0, 7, 0] + [UInt8](repeating: 0, count: 14)
        return Array("RIFF".utf8) + [92, 0, 0, 0] + Array("WAVEfmt ".utf8) + [40, 0, 0, 0] + fmt.prefix(keep)
    }

    @Test func truncatedExtensibleFormatChunkIsAnError() throws {
        // Fuzz crash (regressions/rtp/crash-wav-extensible-fmt-truncated): the subformat at byte 24 of
        // a chunk that claims 40 bytes was read past the end of the file.
        #expect(throws: WAVError.truncated("fmt chunk")) { try WAVDecoder.decode(extensibleHeader(keep: 24)) }
        #expect(throws: WAVError.truncated("fmt chunk")) { try WAVDecoder.decode(extensibleHeader(keep: 25)) }
        let whole = extensibleHeader(keep: 40) + Array("data".utf8) + [2, 0, 0, 0, 0xFF, 0x7F]
        #expect(try WAVDecoder.decode(whole).count == 2)
    }

    @Test(arguments: [0, 1, 7999, 192_001, 0xFFFF_FFFF])
    func unplayableSampleRatesAreErrors(rate: Int) throws {
        // 0 Hz trapped the resampler (Int(infinity)); 1 Hz asked it for 8,000 samples per input sample.
        let wav = WAVHeader(format: .ulaw, channels: 1, sampleRate: rate, dataSize: 4).bytes + [0, 1, 2, 3]
        #expect(throws: WAVError.unsupportedFormat("sample rate \(UInt32(truncatingIfNeeded: rate)) Hz")) { try WAVDecoder.decode(wav) }
    }

    @Test func telephoneEventScheduleWithUnusableIntervalOrLongDurationIsFinite() {
        let digit = DTMFDigit(event: 5)!
        // intervalMs 0 (a ptime of 0) looped forever; a negative one too.
        for interval in [0, -20] {
            let packets = TelephoneEventSender.packets(for: digit, durationMs: 100, intervalMs: interval)
            #expect(packets.count == 5 + 3)
        }
        // 10 s overflowed the 16-bit duration (UInt16 trap at 8,192 ms); capped at 8,191 ms.
        let long = TelephoneEventSender.packets(for: digit, durationMs: 10_000, intervalMs: 20)
        #expect(long.last?.event.duration == 65_528)
        #expect(long.allSatisfy { $0.offsetMs <= 8_191 })
        #expect(TelephoneEventSender.packets(for: digit, durationMs: -5).count == 3)
    }

    @Test func truncatedRTPHeaderExtensionIsAnError() {
        // X bit with an extension length past the datagram: the typed error, not a trap.
        var bytes: [UInt8] = [0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0xFF, 0xFF]
        #expect(throws: RTPParseError.tooShort("header extension")) { try RTPPacket(decoding: ByteBuffer(bytes: bytes)) }
        bytes = [0x8F, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]  // 15 CSRCs announced, one present
        #expect(throws: RTPParseError.tooShort("CSRC list")) { try RTPPacket(decoding: ByteBuffer(bytes: bytes)) }
        bytes = [0xA0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 9]  // padding 9 > payload 2
        #expect(throws: RTPParseError.badLength("RTP padding")) { try RTPPacket(decoding: ByteBuffer(bytes: bytes)) }
    }

    @Test func reportAfterTakingBackOlderCountsDoesNotTrap() {
        // Counts continued from a relay that are behind this side's last report gave a negative
        // interval: (5 << 8) / -5 = -256, and UInt8(-256) trapped.
        var statistics = RTPReceiveStatistics()
        for sequence in UInt16(100)...110 { statistics.record(sequence: sequence, timestamp: 0, arrival: 0) }
        _ = statistics.makeReportBlock(ssrc: 1)
        statistics.continue(from: .init(received: 1, cycles: 0, maxSequence: 105, jitterQ4: 0, lastTransit: nil))
        #expect(statistics.makeReportBlock(ssrc: 1).fractionLost == 0)
    }
}
